/**
 * Sync log lines in the user's language: the core gives each line a `code` and `params`
 * (electron/core/sync/logText.ts) beside its English `message`; a code without a translation
 * here (a Google error in its own words) is shown in English, marked so for screen readers.
 */
import type { TFunction } from 'i18next';

export interface LogLike {
  code?: string;
  params?: Record<string, string | number>;
  message: string;
}

const FIELDS = ['title', 'location', 'period', 'private', 'reminder', 'description'];

/**
 * Codes whose sentence differs by which optional params the line has: the sentence is chosen by
 * i18next's context, the present ones joined in this order (`answered_reason_detail`), so no
 * sentence is left with an empty « : . ».
 */
const VARIANTS: Record<string, readonly string[]> = {
  'google.answered': ['reason', 'detail'],
  'google.unreachable': ['code', 'dns'],
  'google.unauthorized': ['detail'],
  'google.notFound': ['detail'],
};

/** Keys built from the core's codes are not known to TypeScript: looked up loosely, with a fallback. */
export type LooseT = (key: string, options?: Record<string, unknown>) => string;
export const loose = (t: TFunction): LooseT => t as unknown as LooseT;

/** The sentence to show and its language (`en` when it fell back to the core's English). */
export function logLine(typed: TFunction, line: LogLike): { text: string; lang: 'en' | undefined } {
  const t = loose(typed);
  const code = line.code;
  if (!code || code === 'text') return { text: line.message, lang: 'en' };
  const key = `syncLog.${code}`;
  if (!t(key, { defaultValue: '' })) return { text: line.message, lang: 'en' };
  const p: Record<string, string | number> = { ...(line.params ?? {}) };
  if (typeof p.rule === 'string') p.rule = t(`syncLog.rule.${p.rule}`, { defaultValue: p.rule });
  if (typeof p.winner === 'string') p.winner = t(`syncLog.side.${p.winner}`, { defaultValue: p.winner });
  if (typeof p.field === 'string' && FIELDS.includes(p.field)) p.field = t(`syncLog.field.${p.field}`);
  if (typeof p.fields === 'string' && code === 'agenda.updatedInCrm') {
    p.fields = p.fields
      .split(', ')
      .map((f) => (FIELDS.includes(f) ? t(`syncLog.field.${f}`) : f))
      .join(', ');
  }
  if (typeof p.reasonCode === 'string') p.reason = t(`syncLog.reason.${p.reasonCode}`, { value: p.reasonValue, defaultValue: p.reason, interpolation: { escapeValue: false } });
  if (typeof p.reason === 'string' && code === 'run.skipped') p.reason = t(`agendaSync.skip.${p.reason}`, { defaultValue: p.reason });
  if (typeof p.status === 'string') p.status = t(`agendaSync.status.${p.status}`, { defaultValue: p.status });
  // Google's own message often ends with its full stop: the sentence gives it its own.
  if (typeof p.detail === 'string') p.detail = p.detail.replace(/\.$/, '');
  const context = (VARIANTS[code] ?? []).filter((k) => p[k] !== undefined && p[k] !== '').join('_');
  return { text: t(key, { ...p, ...(context ? { context } : {}), interpolation: { escapeValue: false } }), lang: undefined };
}
