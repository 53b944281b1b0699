/**
 * The sync log, one table for both syncs (the agenda's in AgendaSyncCard, the contacts' in
 * ContactsSyncReport): a row per run, its counts grouped by side, a row that opens on the run's
 * lines. Each sync says which counts it has (`groups`) and what names a line's subject (an
 * action, a contact); the look, the keyboard and the test ids are the same for both, prefixed
 * `sync-` (agenda) or `cs-` (contacts).
 */
import { Fragment, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorLine } from '../../components/ErrorLine';
import { fmt, formatNumber } from '../../lib/dates';
import { useSession } from '../../stores/session';
import { logLine, type LogLike } from './logText';

type Status = 'running' | 'ok' | 'partial' | 'failed' | 'cancelled';

export function StatusBadge({ status }: { status: Status }) {
  const { t } = useTranslation();
  return (
    <span className={`badge status-badge status-${status}`} data-testid="sync-status">
      {t(`agendaSync.status.${status}`)}
    </span>
  );
}

export interface LogRun {
  id: number;
  status: Status;
  startedAt: string;
  conflicts: number;
  errors: number;
}

export interface LogColumn<R> {
  label: string;
  value(run: R): number;
  /** data-col of its cells (tests read counts by it). */
  col?: string;
}

export interface LogGroup<R> {
  label: string;
  columns: LogColumn<R>[];
}

interface Props<R extends LogRun> {
  prefix: 'sync' | 'cs';
  title: string;
  empty: string;
  runs: R[] | null;
  loading: boolean;
  error: unknown;
  openRunId: number | null;
  onToggle(runId: number): void;
  onRefresh(): void;
  /** Columns between the date and the status (the agenda's trigger), each a header and a cell. */
  lead?: { label: string; cell(run: R): ReactNode }[];
  groups: LogGroup<R>[];
  /** Labels of the conflicts and errors columns. */
  conflicts: string;
  errors: string;
  /** Extra data-* attributes of a run's row. */
  rowData?(run: R): Record<string, string>;
  /** The run's lines, shown when its row is open. */
  entries(runId: number): ReactNode;
}

export function SyncLogTable<R extends LogRun>(p: Props<R>) {
  const { t } = useTranslation();
  const timeZone = useSession((s) => s.timeZone);
  const lead = p.lead ?? [];
  const width = 4 + lead.length + p.groups.reduce((n, g) => n + g.columns.length, 0);
  const zero = (n: number) => (n === 0 ? ' zero' : '');

  return (
    <section className="sync-log-section" aria-labelledby={`${p.prefix}-log-title`}>
      <div className="sync-log-head">
        <h3 id={`${p.prefix}-log-title`}>{p.title}</h3>
        <button type="button" className="link-button" onClick={p.onRefresh} data-testid={`${p.prefix}-log-refresh`}>
          {t('agendaSync.log.refresh')}
        </button>
      </div>
      <ErrorLine error={p.error} onRetry={p.onRefresh} />
      {p.runs === null ? (
        p.loading ? (
          <p className="muted">{t('common.loading')}</p>
        ) : null
      ) : p.runs.length === 0 ? (
        <p className="empty" data-testid={`${p.prefix}-log-empty`}>
          {p.empty}
        </p>
      ) : (
        <div className="table-wrap sync-log-wrap">
          <table className="table sync-log" data-testid={`${p.prefix}-log`}>
            <thead>
              <tr>
                <th rowSpan={2} scope="col">
                  {t('agendaSync.log.date')}
                </th>
                {lead.map((c) => (
                  <th key={c.label} rowSpan={2} scope="col">
                    {c.label}
                  </th>
                ))}
                <th rowSpan={2} scope="col">
                  {t('agendaSync.log.status')}
                </th>
                {p.groups.map((g) => (
                  <th key={g.label} colSpan={g.columns.length} scope="colgroup" className="group">
                    {g.label}
                  </th>
                ))}
                <th rowSpan={2} scope="col" className="num">
                  {p.conflicts}
                </th>
                <th rowSpan={2} scope="col" className="num">
                  {p.errors}
                </th>
              </tr>
              <tr>
                {p.groups.flatMap((g) =>
                  g.columns.map((c) => (
                    <th key={`${g.label}-${c.label}`} scope="col" className="num sub">
                      {c.label}
                    </th>
                  )),
                )}
              </tr>
            </thead>
            <tbody>
              {p.runs.map((r) => {
                const open = p.openRunId === r.id;
                const date = fmt(Date.parse(r.startedAt), t('formats.dateTimeSeconds'), timeZone);
                return (
                  <Fragment key={r.id}>
                    <tr className={`clickable${open ? ' selected' : ''}`} onClick={() => p.onToggle(r.id)} data-testid={`${p.prefix}-run`} data-status={r.status} data-run-id={r.id} {...p.rowData?.(r)}>
                      <td>
                        <button
                          type="button"
                          className="row-toggle"
                          aria-expanded={open}
                          aria-controls={`${p.prefix}-run-${r.id}`}
                          aria-label={t('agendaSync.log.details', { date })}
                          onClick={(e) => {
                            e.stopPropagation();
                            p.onToggle(r.id);
                          }}
                        >
                          <span className={`caret${open ? ' open' : ''}`} aria-hidden="true">
                            ▸
                          </span>
                          {date}
                        </button>
                      </td>
                      {lead.map((c) => (
                        <td key={c.label}>{c.cell(r)}</td>
                      ))}
                      <td>
                        <StatusBadge status={r.status} />
                      </td>
                      {p.groups.flatMap((g) =>
                        g.columns.map((c) => (
                          <td key={`${g.label}-${c.label}`} className={`num${zero(c.value(r))}`} data-col={c.col}>
                            {formatNumber(c.value(r))}
                          </td>
                        )),
                      )}
                      <td className={`num${zero(r.conflicts)}`}>{formatNumber(r.conflicts)}</td>
                      <td className={`num${r.errors === 0 ? ' zero' : ' bad'}`}>{formatNumber(r.errors)}</td>
                    </tr>
                    {open ? (
                      <tr className="run-detail-row">
                        <td colSpan={width} id={`${p.prefix}-run-${r.id}`}>
                          {p.entries(r.id)}
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

interface EntryLike extends LogLike {
  level: 'info' | 'warning' | 'error';
  at: string;
}

/** A run's lines: time, level, what the line is about (`subject`), the sentence in the user's language. */
export function RunEntryList<E extends EntryLike>({ prefix, entries, subject }: { prefix: 'sync' | 'cs'; entries: E[] | 'loading' | { error: unknown } | undefined; subject(entry: E): string | null }) {
  const { t } = useTranslation();
  const timeZone = useSession((s) => s.timeZone);
  if (entries === undefined || entries === 'loading') return <p className="muted">{t('common.loading')}</p>;
  if (!Array.isArray(entries)) return <ErrorLine error={entries.error} />;
  if (entries.length === 0) return <p className="muted" data-testid={`${prefix}-entries-empty`}>{t('agendaSync.log.noEntries')}</p>;
  return (
    <ul className="sync-entries" data-testid={`${prefix}-entries`}>
      {entries.map((e, i) => {
        const about = subject(e);
        const line = logLine(t, e);
        return (
          <li key={i} className={`entry-${e.level}`} data-testid={`${prefix}-entry`} data-level={e.level}>
            <span className="entry-time">{fmt(Date.parse(e.at), t('formats.time'), timeZone)}</span>
            <span className={`badge level-${e.level}`}>{t(`agendaSync.log.level.${e.level}`)}</span>
            {about !== null ? <span className="muted">{about}</span> : null}
            <span className="entry-message" lang={line.lang}>
              {line.text}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
