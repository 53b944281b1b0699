/**
 * Préférences → Synchronisation, the Google part (FTC019 §3.2, §3.5): the login e-mail, the
 * connection's state, Connexion / Connexion manuelle / Annuler, Tester and the two resets.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { PendingConnection, TestCheck } from '../../../../shared/contract';
import { CrmError } from '../../../../shared/errors';
import { bridge, NetworkError, transportKind } from '../../api/bridge';
import { ErrorLine } from '../../components/ErrorLine';
import { fmt } from '../../lib/dates';
import { errorText } from '../../lib/errors';
import { useGoogle, type ConnectionOutcome } from '../../stores/google';
import { useSession } from '../../stores/session';
import { problemText } from './problems';
import { ResetDialog } from './ResetDialog';
import { StatusIcon } from './StatusIcon';

/** Seconds until `iso`, ticking every second while mounted. */
function useRemaining(iso: string | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!iso) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [iso]);
  if (!iso) return null;
  return Math.max(0, Math.round((Date.parse(iso) - now) / 1000));
}

/** Why Connexion could not start, in the user's words (the core's CONFLICT here means: no client yet). */
function ConnectError({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  let text: string;
  if (error instanceof CrmError && error.code === 'CONFLICT') text = `${t('google.problems.CLIENT_NOT_SET.message')}. ${t('google.problems.CLIENT_NOT_SET.solution')}`;
  else if (error instanceof CrmError && error.code === 'BAD_INPUT' && error.field === 'googleEmail') text = t('google.loginMissing');
  else text = errorText(t, error);
  return (
    <div className="error-line" role="alert" data-testid="google-action-error">
      <span>{text}</span>
    </div>
  );
}

const mmss = (s: number) => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;

export function GoogleCard({ loginEmail, calendarName }: { loginEmail: string; calendarName: string }) {
  const { t } = useTranslation();
  const timeZone = useSession((s) => s.timeZone);
  const { connection, loading, error, pending, outcome, lastReset } = useGoogle();
  const [busy, setBusy] = useState<'browser' | 'manual' | 'cancel' | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [manual, setManual] = useState<PendingConnection | null>(null);
  const [resetScope, setResetScope] = useState<'account' | 'calendar' | null>(null);
  const remaining = useRemaining(pending?.expiresAt ?? null);

  useEffect(() => bridge.on('onGoogleConnection', (payload) => useGoogle.getState().onOutcome(payload as ConnectionOutcome)), []);

  // The e-mail is edited in the form below: the core's view of the connection follows it.
  useEffect(() => {
    void useGoogle.getState().loadConnection();
  }, [loginEmail]);

  // A manual flow that ended (connected, cancelled, timed out) closes its panel.
  useEffect(() => {
    if (manual && outcome?.flowId === manual.flowId && outcome.outcome !== 'failed') setManual(null);
  }, [manual, outcome]);

  const start = async (mode: 'browser' | 'manual') => {
    setBusy(mode);
    setActionError(null);
    try {
      const p = await useGoogle.getState().connect(mode);
      setManual(mode === 'manual' ? p : null);
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(null);
    }
  };

  const cancel = async () => {
    setBusy('cancel');
    setActionError(null);
    try {
      await useGoogle.getState().cancel();
      setManual(null);
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(null);
    }
  };

  const connected = connection?.connected === true;
  const when = connection?.connectedAt ? fmt(Date.parse(connection.connectedAt), t('formats.dateTime'), timeZone) : '';
  const remainingText = remaining === null ? '' : t('google.expiresIn', { time: mmss(remaining) });

  return (
    <section className="card google-card" data-testid="google-card" aria-labelledby="google-card-title" data-connected={connected ? 'true' : 'false'}>
      <h2 className="card-title" id="google-card-title">
        {t('google.title')}
      </h2>
      <p className="muted">{t('google.intro')}</p>
      <ErrorLine error={error} onRetry={() => void useGoogle.getState().loadConnection()} />

      <dl className="fields google-fields">
        <div className="field-row">
          <dt>{t('google.type')}</dt>
          <dd>{t('google.typeGoogle')}</dd>
        </div>
        <div className="field-row">
          <dt>{t('google.login')}</dt>
          <dd data-testid="google-login">{loginEmail ? <span className="strong">{loginEmail}</span> : <span className="muted">{t('google.loginMissing')}</span>}</dd>
        </div>
        <div className="field-row">
          <dt>{t('google.status')}</dt>
          <dd>
            <span className={`conn-status ${connected ? 'on' : 'off'}`} data-testid="google-status" role="status" data-connected={connected ? 'true' : 'false'}>
              <span className="conn-dot" aria-hidden="true" />
              {loading && !connection ? t('google.loadingStatus') : connected ? t('google.connectedAs', { email: connection?.accountEmail ?? loginEmail, date: when }) : t('google.notConnected')}
            </span>
          </dd>
        </div>
      </dl>

      {outcome ? <OutcomeNotice outcome={outcome} loginEmail={loginEmail} accountEmail={connection?.accountEmail ?? null} /> : null}

      <div className="google-actions">
        {pending ? (
          <>
            <span className="pending-line" data-testid="google-pending" data-mode={pending.mode}>
              <span className="spinner" aria-hidden="true" />
              <span>{pending.mode === 'manual' ? t('google.pendingManual', { remaining: remainingText }) : t('google.pendingBrowser', { remaining: remainingText })}</span>
            </span>
            <button type="button" className="button" onClick={() => void cancel()} disabled={busy !== null} data-testid="google-cancel">
              {t('google.cancel')}
            </button>
          </>
        ) : (
          <>
            <button type="button" className="button primary" onClick={() => void start('browser')} disabled={busy !== null || !loginEmail} data-testid="google-connect">
              {busy === 'browser' ? t('google.opening') : t('google.connect')}
            </button>
            <button type="button" className="button" onClick={() => void start('manual')} disabled={busy !== null || !loginEmail} data-testid="google-manual">
              {busy === 'manual' ? t('google.opening') : t('google.manual')}
            </button>
          </>
        )}
      </div>
      {pending && pending.mode === 'browser' ? (
        <p className="field-hint pending-hint">
          {transportKind === 'http' ? (
            <>
              {t('google.pendingHintHttp')}{' '}
              <a href={pending.consentUrl} target="_blank" rel="noopener noreferrer" data-testid="google-open-consent">
                {t('google.openConsent')}
              </a>
            </>
          ) : (
            t('google.pendingHintElectron')
          )}
        </p>
      ) : null}
      <ConnectError error={actionError} />
      {manual ? <ManualPanel flow={manual} active={pending?.flowId === manual.flowId} /> : null}

      <TestSection loginEmail={loginEmail} />

      <div className="google-section">
        <h3>{t('google.reset')}</h3>
        <p className="field-hint">{t('google.resetHint')}</p>
        <div className="google-actions">
          <button type="button" className="button" onClick={() => setResetScope('account')} disabled={!connected || pending !== null} data-testid="google-reset">
            {t('google.reset')}
          </button>
          <button type="button" className="button" onClick={() => setResetScope('calendar')} disabled={!connected || pending !== null} data-testid="google-reset-calendar">
            {t('google.resetCalendar')}
          </button>
        </div>
        {lastReset ? (
          <p className="notice success" role="status" data-testid="google-reset-result">
            {t(lastReset.revoked ? 'google.resetDoneRevoked' : 'google.resetDone', {
              links: t('google.links', { count: lastReset.linksDropped }),
              deleted: t('google.deleted', { count: lastReset.deletedInGoogle }),
            })}
          </p>
        ) : null}
      </div>
      {resetScope ? <ResetDialog scope={resetScope} accountEmail={connection?.accountEmail ?? loginEmail} calendarName={calendarName} onClose={() => setResetScope(null)} /> : null}
    </section>
  );
}

function OutcomeNotice({ outcome, loginEmail, accountEmail }: { outcome: ConnectionOutcome; loginEmail: string; accountEmail: string | null }) {
  const { t } = useTranslation();
  const ok = outcome.outcome === 'connected';
  const quiet = outcome.outcome === 'cancelled';
  let text: string;
  let solution: string | null = null;
  if (ok) text = t('google.outcome.connected', { email: accountEmail ?? loginEmail });
  else if (outcome.outcome === 'denied') text = t('google.outcome.denied');
  else if (outcome.outcome === 'failed' && outcome.problem) {
    const p = problemText(t, outcome.problem, outcome.params ?? {}, outcome.message, loginEmail);
    text = p.message;
    solution = p.solution;
  } else if (outcome.outcome === 'failed') text = outcome.message ? `${t('google.outcome.failed')} ${outcome.message}` : t('google.outcome.failed');
  else {
    // Timeout or cancel: Google's "403 access_denied" page (not a test user) never comes back to the app.
    text = t(`google.outcome.${outcome.outcome}`);
    solution = t('google.outcome.blockedHint');
  }
  return (
    <div className={`notice ${ok ? 'success' : quiet ? 'info' : 'danger'}`} role={ok || quiet ? 'status' : 'alert'} data-testid="google-outcome" data-outcome={outcome.outcome} data-problem={outcome.problem ?? ''}>
      <StatusIcon status={ok ? 'pass' : quiet ? 'skipped' : 'fail'} />
      <div>
        <p className="strong">{text}</p>
        {solution ? <p className={quiet || outcome.outcome === 'timeout' ? 'small' : undefined}>{outcome.outcome === 'failed' ? <span className="strong">{t('google.whatToDo')} </span> : null}{solution}</p> : null}
      </div>
    </div>
  );
}

function ManualPanel({ flow, active }: { flow: PendingConnection; active: boolean }) {
  const { t } = useTranslation();
  const urlId = useId();
  const pasteId = useId();
  const [pasted, setPasted] = useState('');
  const [copied, setCopied] = useState<'ok' | 'failed' | null>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const outcome = useGoogle((s) => s.outcome);
  const loginEmail = useGoogle((s) => s.connection?.loginEmail ?? '');

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(flow.consentUrl);
      setCopied('ok');
    } catch {
      setCopied('failed');
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (pasted.trim() === '') {
      setFieldError(t('google.manualEmpty'));
      return;
    }
    setSubmitting(true);
    setFieldError(null);
    setFailed(false);
    try {
      await useGoogle.getState().completeManual(pasted.trim());
    } catch (error) {
      if (error instanceof NetworkError) setFieldError(errorText(t, error));
      else if (error instanceof CrmError && error.code === 'BAD_INPUT') setFieldError(t('google.manualBadPaste'));
      else if (error instanceof CrmError && error.code === 'NOT_FOUND') setFieldError(t('google.manualEnded'));
      // The attempt failed at Google (wrong account, code refused…): the core says why in its event.
      else if (error instanceof CrmError && error.code === 'CONFLICT') setFailed(true);
      else setFieldError(errorText(t, error));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <form className="manual-panel" onSubmit={(e) => void submit(e)} noValidate data-testid="google-manual-panel">
      <p>{t('google.manualStep1')}</p>
      <label className="field-label" htmlFor={urlId}>
        {t('google.manualUrl')}
      </label>
      <div className="copy-row">
        <input id={urlId} readOnly value={flow.consentUrl} onFocus={(e) => e.target.select()} spellCheck={false} data-testid="google-manual-url" />
        <button type="button" className="button" onClick={() => void copy()} data-testid="google-manual-copy">
          {t('google.copy')}
        </button>
      </div>
      <span className="field-hint" role="status">
        {copied === 'ok' ? t('google.copied') : copied === 'failed' ? t('google.copyFailed') : ''}
      </span>
      <label className="field-label" htmlFor={pasteId}>
        {t('google.manualPaste')}
      </label>
      <div className="copy-row">
        <input
          id={pasteId}
          value={pasted}
          onChange={(e) => {
            setPasted(e.target.value);
            setFieldError(null);
          }}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={fieldError !== null || failed}
          aria-describedby={`${pasteId}-msg`}
          data-testid="google-manual-paste"
        />
        <button type="submit" className="button primary" disabled={submitting || !active} data-testid="google-manual-submit">
          {submitting ? t('google.manualSubmitting') : t('google.manualSubmit')}
        </button>
      </div>
      {fieldError || failed ? (
        <span className="field-error" id={`${pasteId}-msg`} role="alert" data-testid="field-error-pasted">
          {fieldError ??
            (outcome?.flowId === flow.flowId && outcome.problem
              ? problemText(t, outcome.problem, outcome.params ?? {}, outcome.message, loginEmail).message
              : outcome?.flowId === flow.flowId && outcome.outcome === 'denied'
                ? t('google.outcome.denied')
                : t('google.manualFailed'))}
        </span>
      ) : (
        <span className="field-hint" id={`${pasteId}-msg`}>
          {t('google.manualPasteHint')}
        </span>
      )}
    </form>
  );
}

function TestSection({ loginEmail }: { loginEmail: string }) {
  const { t } = useTranslation();
  const timeZone = useSession((s) => s.timeZone);
  const { report, testing, testError } = useGoogle();
  const failures = report ? report.checks.filter((c) => c.status === 'fail').length : 0;
  return (
    <div className="google-section">
      <h3>{t('google.testTitle')}</h3>
      <p className="field-hint">{t('google.testHint')}</p>
      <div className="google-actions">
        <button type="button" className="button" onClick={() => void useGoogle.getState().test()} disabled={testing} aria-busy={testing} data-testid="google-test">
          {testing ? <span className="spinner" aria-hidden="true" /> : null}
          {testing ? t('google.testing') : t('google.test')}
        </button>
        {report && !testing ? (
          <span className={`test-summary ${report.ok ? 'ok' : 'ko'}`} data-testid="google-test-summary" data-ok={report.ok ? 'true' : 'false'}>
            {report.ok ? t('google.testOk') : t('google.testKo', { count: failures })}
            <span className="muted small"> · {t('google.testedAt', { date: fmt(Date.parse(report.checkedAt), t('formats.dateTime'), timeZone) })}</span>
          </span>
        ) : null}
      </div>
      <ErrorLine error={testError} testId="google-test-error" />
      {report ? (
        <ul className={`checks${testing ? ' stale' : ''}`} aria-label={t('google.resultsLabel')} aria-busy={testing} data-testid="google-checks">
          {report.checks.map((c) => (
            <CheckRow key={c.id} check={c} loginEmail={loginEmail} />
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function CheckRow({ check, loginEmail }: { check: TestCheck; loginEmail: string }) {
  const { t } = useTranslation();
  const showProblem = (check.status === 'fail' || check.status === 'warn') && (check.problem !== null || check.message !== '');
  const testingWarn = check.id === 'client' && check.status === 'warn' && check.problem === null;
  const p = testingWarn
    ? { message: t('google.testingWarn'), solution: t('google.testingWarnSolution'), detail: null }
    : showProblem
      ? problemText(t, check.problem, check.params, check.message, loginEmail)
      : null;
  return (
    <li className={`check-row ${check.status}`} data-testid="google-check" data-check-id={check.id} data-status={check.status} data-problem={check.problem ?? ''}>
      <StatusIcon status={check.status} />
      <div className="check-body">
        <p>
          <span className="strong">{t(`google.checks.${check.id}`)}</span>
          <span className="visually-hidden"> : {t(`google.statuses.${check.status}`)}</span>
        </p>
        {p ? (
          <>
            <p className="check-message" data-testid="google-check-message">
              {p.message}
            </p>
            {p.detail ? (
              <p className="check-detail" data-testid="google-check-detail">
                {p.detail}
              </p>
            ) : null}
            <p className="check-solution" data-testid="google-check-solution">
              <span className="strong">{t('google.whatToDo')} </span>
              {p.solution}
            </p>
          </>
        ) : null}
      </div>
    </li>
  );
}
