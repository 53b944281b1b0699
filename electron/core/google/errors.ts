/**
 * Classifies what the Google clients throw, without ever echoing the request: a gaxios error
 * carries its request (with the client secret, the code or the token), so only fields of
 * Google's answer are read, and messages are our own sentences.
 * Sources: RFC 6749 §5.2 (token errors), Calendar "Handle API errors", People "Errors".
 */
import type { TestProblem } from '../../../shared/contract';

export type GoogleErrorKind = 'invalidGrant' | 'invalidClient' | 'quota' | 'apiDisabled' | 'network' | 'unauthorized' | 'notFound' | 'other';

export interface DescribedError {
  kind: GoogleErrorKind;
  /** The problem code when this error is enough to name it (API-specific ones are the caller's). */
  problem: TestProblem;
  status: number | null;
  message: string;
  /** What `message` is made of, for the sync log's codes (sync/logText.ts `lineOfFailure`). */
  facts: DescribedFacts;
}

/** The parts of a described error's message: Google's own words and the network's code, never the request. */
export interface DescribedFacts {
  /** A network failure's code (ECONNRESET…); absent when the error carried none. */
  networkCode?: string;
  /** The network failure is a name lookup's (ENOTFOUND, EAI_AGAIN): the message adds « and DNS ». */
  dns?: true;
  /** The token endpoint's error word (RFC 6749 §5.2), as the message names it. */
  error?: string;
  /** Google's first reason word (backendError, …), as the message names it. */
  reason?: string;
  /** Google's own message, clipped, as the message quotes it. */
  detail?: string;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

function networkCode(error: unknown): string | null {
  let e: unknown = error;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

const clip = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}…` : s);

interface ApiErrorBody {
  error?: string | { code?: number; message?: string; status?: string; errors?: { reason?: string }[]; details?: { reason?: string }[] };
  error_description?: string;
}

export function describeGoogleError(error: unknown): DescribedError {
  const response = (error as { response?: { status?: number; data?: unknown } } | null)?.response;
  if (!response) {
    const code = networkCode(error);
    if (code || (error instanceof Error && /fetch failed|socket hang up|network/i.test(error.message))) {
      const dns = code === 'ENOTFOUND' || code === 'EAI_AGAIN';
      return {
        kind: 'network',
        problem: 'NETWORK',
        status: null,
        message: `Google cannot be reached (${code ?? 'network error'}): check the network connection${dns ? ' and DNS' : ''}.`,
        facts: { ...(code ? { networkCode: code } : {}), ...(dns ? { dns: true as const } : {}) },
      };
    }
    return { kind: 'other', problem: 'GOOGLE_ERROR', status: null, message: 'Google could not be asked (unexpected client error).', facts: {} };
  }
  const status = response.status ?? 0;
  let data = response.data as ApiErrorBody | string | undefined;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data) as ApiErrorBody;
    } catch {
      data = undefined;
    }
  }
  const body = (data ?? {}) as ApiErrorBody;
  if (typeof body.error === 'string') {
    // The token endpoint (RFC 6749 §5.2).
    if (body.error === 'invalid_grant') {
      return { kind: 'invalidGrant', problem: 'INVALID_GRANT', status, message: 'Google answered invalid_grant: the authorization expired or was revoked.', facts: {} };
    }
    if (body.error === 'invalid_client' || body.error === 'unauthorized_client') {
      return { kind: 'invalidClient', problem: 'INVALID_CLIENT', status, message: `Google answered ${body.error}: the client ID or secret is wrong.`, facts: { error: body.error } };
    }
    const word = /^[a-z_]{1,40}$/.test(body.error) ? body.error : 'error';
    return { kind: 'other', problem: 'GOOGLE_ERROR', status, message: `Google answered ${status} ${word}.`, facts: { reason: word } };
  }
  const err = typeof body.error === 'object' ? body.error : {};
  const reasons = [...(err.errors ?? []).map((e) => e.reason), ...(err.details ?? []).map((d) => d.reason)].filter((r): r is string => typeof r === 'string');
  const text = clip(err.message ?? '');
  if (status === 429 || reasons.some((r) => /rateLimitExceeded|userRateLimitExceeded|quotaExceeded|RATE_LIMIT_EXCEEDED/.test(r)) || err.status === 'RESOURCE_EXHAUSTED') {
    return { kind: 'quota', problem: 'QUOTA_EXCEEDED', status, message: `Google's quota is exhausted (${status}): wait a minute and try again.`, facts: {} };
  }
  if (reasons.some((r) => r === 'accessNotConfigured' || r === 'SERVICE_DISABLED')) {
    return { kind: 'apiDisabled', problem: 'GOOGLE_ERROR', status, message: `The API is not enabled for this Google client (${status} accessNotConfigured).`, facts: {} };
  }
  const detail = text ? { detail: text } : {};
  if (status === 401) return { kind: 'unauthorized', problem: 'NOT_CONNECTED', status, message: `Google refused the credentials (401)${text ? `: ${text}` : ''}.`, facts: detail };
  if (status === 404) return { kind: 'notFound', problem: 'GOOGLE_ERROR', status, message: `Not found at Google (404)${text ? `: ${text}` : ''}.`, facts: detail };
  return {
    kind: 'other',
    problem: 'GOOGLE_ERROR',
    status,
    message: `Google answered ${status}${reasons[0] ? ` ${reasons[0]}` : ''}${text ? `: ${text}` : ''}.`,
    facts: { ...(reasons[0] ? { reason: reasons[0] } : {}), ...detail },
  };
}
