import { useEffect, useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { ContactsSyncChange, ContactsSyncReport, SyncChange, SyncReport, SyncTarget } from '../../../../shared/contract';
import { bridge } from '../../api/bridge';
import { ErrorLine } from '../../components/ErrorLine';
import { fmt, formatNumber } from '../../lib/dates';
import { useAgendaSync } from '../../stores/agendaSync';
import { useNav } from '../../stores/nav';
import { useSession } from '../../stores/session';
import { countsOf, useChosen, useSyncWizard, type Outcome, type Part, type Step } from '../../stores/syncWizard';
import { StatusBadge } from './SyncLogTable';
import { logLine, loose } from './logText';
import './syncWizard.css';

const STEPS: Step[] = ['pick', 'preview', 'run', 'report'];

/**
 * The manual sync wizard (FTC019 §3.6.1): whom and what, a preview from dry runs, the run with
 * progress and Cancel, the report. See stores/syncWizard.ts.
 */
export function SyncWizard() {
  const { t } = useTranslation();
  const step = useSyncWizard((s) => s.step);
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    void useSyncWizard.getState().open();
    const offA = bridge.on('onSyncProgress', (p) => useSyncWizard.getState().onAgendaProgress(p));
    const offC = bridge.on('onContactsSyncProgress', (p) => useSyncWizard.getState().onContactsProgress(p));
    return () => {
      offA();
      offC();
    };
  }, []);

  // Each step announces itself: focus moves to its heading (not on the first render).
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    headingRef.current?.focus();
  }, [step]);

  return (
    <section className="card wizard" data-testid="sync-wizard" data-step={step} aria-labelledby="wizard-title">
      <h2 className="card-title" id="wizard-title">
        {t('syncWizard.title')}
      </h2>
      <ol className="wizard-steps" aria-label={t('syncWizard.stepsLabel')}>
        {STEPS.map((s, i) => (
          <li key={s} className={s === step ? 'current' : STEPS.indexOf(step) > i ? 'done' : undefined} aria-current={s === step ? 'step' : undefined}>
            <span className="wizard-step-num" aria-hidden="true">
              {i + 1}
            </span>
            {t(`syncWizard.steps.${s}`)}
          </li>
        ))}
      </ol>
      <h3 className="wizard-heading" tabIndex={-1} ref={headingRef} data-testid="wizard-heading">
        {t(`syncWizard.headings.${step}`)}
      </h3>
      {step === 'pick' ? <PickStep /> : step === 'preview' ? <PreviewStep /> : step === 'run' ? <RunStep /> : <ReportStep />}
    </section>
  );
}

// ------------------------------------------------------------------------------ 1. pick

function PickStep() {
  const { t } = useTranslation();
  const targets = useSyncWizard((s) => s.targets);
  const error = useSyncWizard((s) => s.targetsError);
  const picked = useSyncWizard((s) => s.picked);
  const chosen = useChosen();
  const go = useNav((s) => s.go);
  const hintId = useId();

  if (error) return <ErrorLine error={error} onRetry={() => void useSyncWizard.getState().open()} />;
  if (targets === null) return <p className="muted">{t('common.loading')}</p>;
  const toPrefs = (e: React.MouseEvent) => {
    e.preventDefault();
    go('prefs');
  };

  return (
    <>
      <p className="muted">{t('syncWizard.pickIntro')}</p>
      <div className="table-wrap">
        <table className="table wizard-users" data-testid="wizard-users">
          <caption className="visually-hidden">{t('syncWizard.usersCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('syncWizard.user')}</th>
              <th scope="col">{t('syncWizard.google')}</th>
              <th scope="col" className="center">
                {t('syncWizard.agenda')}
              </th>
              <th scope="col" className="center">
                {t('syncWizard.contacts')}
              </th>
            </tr>
          </thead>
          <tbody>
            {targets.map((u) => {
              const p = picked[u.userId] ?? { agenda: false, contacts: false };
              const name = u.isSelf ? t('syncWizard.you', { name: u.displayName }) : u.displayName;
              return (
                <tr key={u.userId} data-testid="wizard-user" data-user={u.login} data-connected={u.connected}>
                  <th scope="row">{name}</th>
                  <td>
                    {u.connected ? (
                      <span className="wizard-ok">✓ {t('syncWizard.connected')}</span>
                    ) : (
                      <span className="wizard-off" data-testid="wizard-not-connected">
                        {u.isSelf ? (
                          <>
                            {t('syncWizard.selfNotConnected')}{' '}
                            <a href="#/prefs" onClick={toPrefs}>
                              {t('syncWizard.connectInPrefs')}
                            </a>
                          </>
                        ) : (
                          t('syncWizard.askToConnect', { name: u.displayName })
                        )}
                      </span>
                    )}
                  </td>
                  <td className="center">
                    <input
                      type="checkbox"
                      checked={p.agenda}
                      disabled={!u.connected}
                      onChange={() => useSyncWizard.getState().toggle(u.userId, 'agenda')}
                      aria-label={t('syncWizard.pickAgenda', { name: u.displayName })}
                      data-testid="wizard-pick-agenda"
                    />
                    {u.connected ? <span className="muted small wizard-cal">{u.calendarName || t('syncWizard.noCalendar')}</span> : null}
                  </td>
                  <td className="center">
                    <input
                      type="checkbox"
                      checked={p.contacts}
                      disabled={!u.connected}
                      onChange={() => useSyncWizard.getState().toggle(u.userId, 'contacts')}
                      aria-label={t('syncWizard.pickContacts', { name: u.displayName })}
                      data-testid="wizard-pick-contacts"
                    />
                    {u.connected ? <span className="muted small wizard-cal">{t('syncWizard.listed', { count: u.contactsListed })}</span> : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div className="wizard-actions">
        <button type="button" className="button primary" disabled={chosen.length === 0} onClick={() => void useSyncWizard.getState().preview()} aria-describedby={hintId} data-testid="wizard-preview">
          {t('syncWizard.toPreview')}
        </button>
        <button type="button" className="button" disabled={chosen.length === 0} onClick={() => void useSyncWizard.getState().run()} data-testid="wizard-run-direct">
          {t('syncWizard.runWithoutPreview')}
        </button>
        <span className="field-hint" id={hintId}>
          {chosen.length === 0 ? t('syncWizard.pickNone') : t('syncWizard.previewHint')}
        </span>
      </div>
    </>
  );
}

// ------------------------------------------------------------------------------ 2. preview

function PreviewStep() {
  const { t } = useTranslation();
  const chosen = useChosen();
  const previews = useSyncWizard((s) => s.previews);
  const loading = chosen.some((c) => c.parts.some((p) => previews[c.target.userId]?.[p]?.state !== 'done' && previews[c.target.userId]?.[p]?.state !== 'failed'));
  return (
    <>
      <p className="muted">{t('syncWizard.previewIntro')}</p>
      {chosen.map(({ target, parts }) => (
        <UserBlock key={target.userId} target={target}>
          {parts.map((part) => (
            <PartOutcome key={part} part={part} target={target} outcome={previews[target.userId]?.[part] ?? { state: 'idle' }} dry />
          ))}
        </UserBlock>
      ))}
      <div className="wizard-actions">
        <button type="button" className="button" onClick={() => useSyncWizard.getState().back()} data-testid="wizard-back">
          ← {t('syncWizard.back')}
        </button>
        <button type="button" className="button primary" disabled={loading} onClick={() => void useSyncWizard.getState().run()} data-testid="wizard-run">
          {t('syncWizard.run')}
        </button>
      </div>
    </>
  );
}

function UserBlock({ target, children }: { target: SyncTarget; children: React.ReactNode }) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <section className="wizard-user-block" aria-labelledby={id} data-testid="wizard-user-block" data-user={target.login}>
      <h4 id={id}>
        {target.isSelf ? t('syncWizard.you', { name: target.displayName }) : target.displayName}
        {!target.seePrivate ? <span className="muted small"> · {t('syncWizard.privateHidden')}</span> : null}
      </h4>
      <div className="wizard-parts">{children}</div>
    </section>
  );
}

type AnyReport = SyncReport | ContactsSyncReport;

function PartOutcome({ part, target, outcome, dry }: { part: Part; target: SyncTarget; outcome: Outcome<SyncReport> | Outcome<ContactsSyncReport>; dry: boolean }) {
  const { t } = useTranslation();
  const titleId = useId();
  return (
    <section className="wizard-part" aria-labelledby={titleId} data-testid={`wizard-part-${part}`} data-state={outcome.state} data-status={outcome.state === 'done' ? outcome.report.status : undefined}>
      <h5 id={titleId}>{t(`syncWizard.part.${part}`)}</h5>
      {outcome.state === 'loading' || outcome.state === 'idle' ? (
        <PartProgress part={part} target={target} progress={outcome.state === 'loading' ? outcome.progress : null} label={dry ? t('syncWizard.reading') : undefined} />
      ) : outcome.state === 'failed' ? (
        <ErrorLine error={outcome.error} />
      ) : (
        <ReportBody part={part} report={outcome.report} dry={dry} target={target} />
      )}
    </section>
  );
}

function PartProgress({ part, target, progress, label }: { part: Part; target: SyncTarget; progress: { phase: string; done: number; total: number } | null; label?: string }) {
  const { t } = useTranslation();
  const started = progress !== null && progress.total > 0;
  const pct = started ? Math.min(100, Math.round((progress.done / progress.total) * 100)) : null;
  const phase = progress ? loose(t)(`syncWizard.phase.${progress.phase}`, { defaultValue: progress.phase }) : (label ?? t('agendaSync.preparing'));
  const count = started ? t('agendaSync.count', { done: formatNumber(Math.min(progress.done, progress.total)), total: formatNumber(progress.total) }) : '';
  return (
    <div className="wizard-progress" data-testid="wizard-progress">
      <span className="small">
        {phase} {count ? <span className="muted">{count}</span> : null}
      </span>
      <div
        className={`sync-bar${pct === null ? ' indeterminate' : ''}`}
        role="progressbar"
        aria-label={t('syncWizard.progressLabel', { part: t(`syncWizard.part.${part}`), name: target.displayName })}
        aria-valuemin={0}
        aria-valuemax={started ? progress.total : undefined}
        aria-valuenow={started ? Math.min(progress.done, progress.total) : undefined}
        aria-valuetext={[phase, count].filter(Boolean).join(' ')}
      >
        <div className="sync-bar-fill" style={pct === null ? undefined : { width: `${pct}%` }} />
      </div>
    </div>
  );
}

const RULES = { newest: 'newest', crm: 'crm', google: 'google' } as const;

function ReportBody({ part, report, dry, target }: { part: Part; report: AnyReport; dry: boolean; target: SyncTarget }) {
  const { t } = useTranslation();
  const counts = countsOf(part, report);
  const labels = dry ? (['wouldCreate', 'wouldUpdate', 'wouldDelete'] as const) : (['created', 'updated', 'deleted'] as const);
  const conflicts = report.decisions.filter((d) => d.kind === 'conflict');
  const changes: (SyncChange | ContactsSyncChange)[] = report.changes;
  const pending = part === 'agenda' ? (report as SyncReport).pendingDeletions : 0;
  const photos = part === 'contacts' ? (report as ContactsSyncReport).google.photos : 0;
  const nothing = [...counts.crm, ...counts.google].every((n) => n === 0) && conflicts.length === 0 && report.errors.length === 0 && pending === 0 && photos === 0;
  return (
    <div className="wizard-report" data-testid="wizard-report" data-dry-run={dry}>
      {!dry || report.status !== 'ok' ? <StatusBadge status={report.status} /> : null}
      {report.status === 'cancelled' ? <p className="notice info">{t('syncWizard.cancelledNote')}</p> : null}
      {nothing && report.status === 'cancelled' ? null : nothing ? (
        <p className="sync-report-nothing" data-testid="wizard-nothing">
          ✓ {dry ? t('syncWizard.nothingToDo') : t('agendaSync.report.nothing')}
        </p>
      ) : (
        <div className="sync-sides">
          {(['crm', 'google'] as const).map((side) => (
            <div key={side} className="sync-side" data-testid={`wizard-side-${side}`}>
              <h6>{side === 'crm' ? t('agendaSync.report.crm') : t('agendaSync.report.google')}</h6>
              <dl className="sync-counts">
                {(['created', 'updated', 'deleted'] as const).map((k, i) => {
                  const n = counts[side][i] ?? 0;
                  // The contacts sync never creates nor deletes in the CRM: those counts are not shown.
                  if (part === 'contacts' && side === 'crm' && k !== 'updated') return null;
                  return (
                    <div key={k} className={n === 0 ? 'zero' : undefined} data-count={k}>
                      <dt>{t(`agendaSync.report.${labels[i]!}`)}</dt>
                      <dd>{formatNumber(n)}</dd>
                    </div>
                  );
                })}
                {part === 'contacts' && side === 'google' ? (
                  <div className={photos === 0 ? 'zero' : undefined} data-count="photos">
                    <dt>{t('syncWizard.photos')}</dt>
                    <dd>{formatNumber(photos)}</dd>
                  </div>
                ) : null}
              </dl>
            </div>
          ))}
        </div>
      )}
      {pending > 0 ? (
        <p className="notice info" data-testid="wizard-pending">
          {t('agendaSync.report.pending', { count: pending })}{' '}
          {!dry ? (
            <button type="button" className="link-button" onClick={() => void useAgendaSync.getState().openDeletions(target.isSelf ? undefined : target.userId)}>
              {t('agendaSync.report.answer')}
            </button>
          ) : null}
        </p>
      ) : null}
      {conflicts.length > 0 ? (
        <div className="wizard-conflicts" data-testid="wizard-conflicts">
          <p className="small">
            {t('syncWizard.conflicts', { count: conflicts.length })}{' '}
            {part === 'agenda' ? <span className="muted">{t('syncWizard.rule', { rule: t(`syncWizard.rules.${RULES[target.conflictRule]}`) })}</span> : null}
          </p>
          <ul>
            {conflicts.map((d, i) => {
              const line = logLine(t, d);
              return (
                <li key={i} lang={line.lang}>
                  {line.text}
                </li>
              );
            })}
          </ul>
        </div>
      ) : null}
      {dry && changes.length > 0 ? <ChangeList part={part} changes={changes} /> : null}
      {report.errors.length > 0 ? (
        <details className="sync-details errors" open>
          <summary>{t('agendaSync.report.errors', { count: report.errors.length })}</summary>
          <ul>
            {report.errors.map((e, i) => (
              <li key={i} lang={logLine(t, e).lang}>
                {logLine(t, e).text}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  );
}

const ROW_HEIGHT = 30;
const VIRTUAL_FROM = 40;

/** The items behind the counts; long lists are virtualised (a first sync may list thousands). */
function ChangeList({ part, changes }: { part: Part; changes: (SyncChange | ContactsSyncChange)[] }) {
  const { t } = useTranslation();
  const timeZone = useSession((s) => s.timeZone);
  const scrollRef = useRef<HTMLDivElement>(null);
  const listId = useId();
  const virtual = changes.length > VIRTUAL_FROM;
  const virtualizer = useVirtualizer({ count: changes.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 8, enabled: virtual });

  const row = (c: SyncChange | ContactsSyncChange) => {
    const title = 'title' in c ? c.title.trim() || t('agendaSync.deletions.untitled') : c.name;
    const when = 'start' in c && c.start ? fmt(Date.parse(c.start), c.allDay ? t('formats.date') : t('formats.dateTime'), timeZone) : '';
    const fields = 'fields' in c && c.fields.length > 0 ? c.fields.map((f) => loose(t)(`syncLog.field.${f}`, { defaultValue: f })).join(', ') : '';
    return (
      <>
        <span className={`wizard-op op-${c.op}`}>{t(`syncWizard.op.${c.side}.${c.op}`)}</span>
        <span className="wizard-item-title">{title}</span>
        {when ? <span className="muted small">{when}</span> : null}
        {fields ? <span className="muted small wizard-fields">{fields}</span> : null}
      </>
    );
  };

  return (
    <details className="wizard-changes" open={changes.length <= 12}>
      <summary>{t(`syncWizard.items.${part}`, { count: changes.length })}</summary>
      {virtual ? (
        <div className="wizard-changes-scroll" ref={scrollRef} tabIndex={0} role="region" aria-labelledby={listId}>
          <span id={listId} className="visually-hidden">
            {t(`syncWizard.items.${part}`, { count: changes.length })}
          </span>
          <ul style={{ height: virtualizer.getTotalSize() }} className="wizard-changes-virtual" data-testid="wizard-changes">
            {virtualizer.getVirtualItems().map((v) => (
              <li key={v.key} style={{ transform: `translateY(${v.start}px)`, height: ROW_HEIGHT }} data-testid="wizard-change" aria-setsize={changes.length} aria-posinset={v.index + 1}>
                {row(changes[v.index]!)}
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <ul className="wizard-changes-list" data-testid="wizard-changes">
          {changes.map((c, i) => (
            <li key={i} data-testid="wizard-change" data-side={c.side} data-op={c.op}>
              {row(c)}
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}

// ------------------------------------------------------------------------------ 3. run

function RunStep() {
  const { t } = useTranslation();
  const chosen = useChosen();
  const runs = useSyncWizard((s) => s.runs);
  const cancelling = useSyncWizard((s) => s.cancelling);
  return (
    <>
      <p className="muted">{t('syncWizard.runIntro')}</p>
      {chosen.map(({ target, parts }) => (
        <UserBlock key={target.userId} target={target}>
          {parts.map((part) => (
            <PartOutcome key={part} part={part} target={target} outcome={runs[target.userId]?.[part] ?? { state: 'idle' }} dry={false} />
          ))}
        </UserBlock>
      ))}
      <div className="wizard-actions">
        <button type="button" className="button danger-outline" disabled={cancelling} onClick={() => void useSyncWizard.getState().cancel()} data-testid="wizard-cancel">
          {cancelling ? t('agendaSync.cancelling') : t('syncWizard.cancel')}
        </button>
        <span className="field-hint">{t('syncWizard.cancelHint')}</span>
      </div>
    </>
  );
}

// ------------------------------------------------------------------------------ 4. report

function ReportStep() {
  const { t } = useTranslation();
  const chosen = useChosen();
  const runs = useSyncWizard((s) => s.runs);
  const previews = useSyncWizard((s) => s.previews);
  const anyCancelled = Object.values(runs).some((p) => [p.agenda, p.contacts].some((o) => o.state === 'done' && o.report.status === 'cancelled'));
  return (
    <>
      <p className="muted">{t('syncWizard.reportIntro')}</p>
      {chosen.map(({ target, parts }) => (
        <UserBlock key={target.userId} target={target}>
          {parts.map((part) => {
            const run = runs[target.userId]?.[part] ?? { state: 'idle' as const };
            const before = previews[target.userId]?.[part];
            let same: boolean | null = null;
            if (run.state === 'done' && before?.state === 'done' && run.report.status !== 'cancelled') {
              same = JSON.stringify(countsOf(part, run.report)) === JSON.stringify(countsOf(part, before.report));
            }
            return (
              <div key={part} className="wizard-part-wrap">
                <PartOutcome part={part} target={target} outcome={run} dry={false} />
                {same === null ? null : (
                  <p className={`small ${same ? 'wizard-same' : 'muted'}`} data-testid="wizard-vs-preview" data-same={same}>
                    {same ? `✓ ${t('syncWizard.asPreviewed')}` : t('syncWizard.notAsPreviewed')}
                  </p>
                )}
              </div>
            );
          })}
        </UserBlock>
      ))}
      <div className="wizard-actions">
        {anyCancelled ? (
          <button type="button" className="button primary" onClick={() => void useSyncWizard.getState().run()} data-testid="wizard-rerun">
            {t('syncWizard.rerun')}
          </button>
        ) : null}
        <button type="button" className={`button${anyCancelled ? '' : ' primary'}`} onClick={() => useSyncWizard.getState().back()} data-testid="wizard-again">
          {t('syncWizard.again')}
        </button>
        <span className="field-hint">{t('syncWizard.inLog')}</span>
      </div>
    </>
  );
}
