/**
 * The Test button's and the connection's problem codes, in the user's language (FTC019 §3.5.2
 * plus what users hit today). The core sends a stable code and the values the sentence needs;
 * its English `message` is only used when the code is unknown to this version.
 */
import type { TFunction } from 'i18next';
import { z } from 'zod';
import { TestProblem } from '../../../../shared/contract';

export type Params = Record<string, string | number | string[] | undefined>;

export interface ProblemText {
  message: string;
  solution: string;
  /** A further line, e.g. the account's calendars for CALENDAR_UNKNOWN. */
  detail: string | null;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);
const first = (params: Params, keys: string[]): string | undefined => {
  for (const k of keys) {
    const v = str(params[k]);
    if (v !== undefined) return v;
  }
  return undefined;
};
/** The e-mails a mismatch is about, as the core sends them in params. */
function mismatch(params: Params, loginEmail: string): { account: string; login: string } {
  return { account: first(params, ['accountEmail']) ?? '?', login: first(params, ['loginEmail']) ?? (loginEmail || '?') };
}

export function problemText(t: TFunction, problem: string | null, params: Params, message: string | null, loginEmail: string): ProblemText {
  const code = TestProblem.or(z.literal('SCOPES_MISSING')).safeParse(problem);
  const fallback = message ?? problem ?? '';
  if (!code.success) {
    return { message: t('google.problems.UNKNOWN.message', { message: fallback }), solution: t('google.problems.UNKNOWN.solution'), detail: null };
  }
  switch (code.data) {
    case 'CALENDAR_UNKNOWN': {
      const name = first(params, ['name', 'calendarName', 'calendar']) ?? '';
      const list = params.calendars ?? params.available ?? params.accountCalendars;
      const calendars = Array.isArray(list) ? list : typeof list === 'string' && list !== '' ? [list] : null;
      const detail = calendars === null ? null : calendars.length === 0 ? t('google.accountNoCalendars') : t('google.accountCalendars', { list: calendars.map((c) => `« ${c} »`).join(', ') });
      return { message: t('google.problems.CALENDAR_UNKNOWN.message', { name }), solution: t('google.problems.CALENDAR_UNKNOWN.solution'), detail };
    }
    case 'EMAIL_MISMATCH': {
      const m = mismatch(params, loginEmail);
      return { message: t('google.problems.EMAIL_MISMATCH.message', m), solution: t('google.problems.EMAIL_MISMATCH.solution', m), detail: null };
    }
    case 'CLOCK_SKEW': {
      const raw = Number(first(params, ['minutes', 'skewMinutes', 'offsetMinutes']) ?? NaN);
      const minutes = Number.isFinite(raw) ? String(Math.abs(Math.round(raw))) : '?';
      return { message: t('google.problems.CLOCK_SKEW.message', { minutes }), solution: t('google.problems.CLOCK_SKEW.solution'), detail: null };
    }
    case 'GOOGLE_ERROR':
      return {
        message: t('google.problems.GOOGLE_ERROR.message', { message: first(params, ['message', 'error']) ?? fallback }),
        solution: t('google.problems.GOOGLE_ERROR.solution'),
        detail: null,
      };
    default:
      return { message: t(`google.problems.${code.data}.message`), solution: t(`google.problems.${code.data}.solution`), detail: null };
  }
}
