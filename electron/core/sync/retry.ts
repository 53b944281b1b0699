/**
 * Reading Google's failures the same way for every API the sync talks to: the HTTP status, the
 * reason Google gives, Retry-After, and whether a failure is the network's rather than Google's.
 * Both the agenda's access (agenda/google.ts) and the contacts' (contacts/people.ts) read them here.
 */
import { CrmError } from '../../../shared/errors';

export function statusOf(error: unknown): number | null {
  const s = (error as { response?: { status?: unknown } } | null)?.response?.status ?? (error as { status?: unknown } | null)?.status;
  return typeof s === 'number' ? s : null;
}

interface GoogleErrorBody {
  error?: { message?: string; status?: string; errors?: { reason?: string }[]; details?: { reason?: string }[] };
}

function bodyOf(error: unknown): GoogleErrorBody | null {
  const data = (error as { response?: { data?: unknown } } | null)?.response?.data;
  if (typeof data === 'string') {
    try {
      return JSON.parse(data) as GoogleErrorBody;
    } catch {
      return null;
    }
  }
  return (data as GoogleErrorBody | undefined) ?? null;
}

/** Google's reason: `errors[0].reason` (e.g. rateLimitExceeded, failedPrecondition). */
export function reasonOf(error: unknown): string | null {
  return bodyOf(error)?.error?.errors?.[0]?.reason ?? (error as { reason?: string | null } | null)?.reason ?? null;
}

/** The ErrorInfo reasons of a One Platform error (People: EXPIRED_SYNC_TOKEN, CONTACT_LIMIT_EXCEEDED…). */
export function detailReasonsOf(error: unknown): string[] {
  return (bodyOf(error)?.error?.details ?? []).map((d) => d.reason).filter((r): r is string => typeof r === 'string');
}

/** Google's own message, for a per-item error the user can act on. */
export function googleMessageOf(error: unknown): string | null {
  return bodyOf(error)?.error?.message ?? null;
}

export function retryAfterOf(error: unknown): string | null {
  const h = (error as { response?: { headers?: unknown } } | null)?.response?.headers as { get?: (k: string) => string | null } | Record<string, string> | undefined;
  if (!h) return (error as { retryAfter?: string | null } | null)?.retryAfter ?? null;
  return typeof h.get === 'function' ? h.get('retry-after') : ((h as Record<string, string>)['retry-after'] ?? null);
}

/** A dropped or refused connection, a reset, a timeout: the request may or may not have been applied. */
export function isNetworkError(error: unknown): boolean {
  if (error instanceof CrmError) return false;
  let e: unknown = error;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|UND_ERR_SOCKET|UND_ERR_CLOSED|ERR_STREAM_PREMATURE_CLOSE)$/.test(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return error instanceof Error && /fetch failed|socket hang up|other side closed|premature close|ECONNRESET|terminated/i.test(error.message);
}
