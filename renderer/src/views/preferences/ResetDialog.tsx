/**
 * FTC019 §3.5.3: « Réinitialisation » (forget the account) and « Réinitialisation Cal. » (forget
 * the calendar links). Asks what to do with what the app already put in Google.
 */
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CrmError } from '../../../../shared/errors';
import { Dialog } from '../../components/Dialog';
import { ErrorLine } from '../../components/ErrorLine';
import { useGoogle } from '../../stores/google';

export function ResetDialog({ scope, accountEmail, calendarName, onClose }: { scope: 'account' | 'calendar'; accountEmail: string; calendarName: string; onClose(): void }) {
  const { t } = useTranslation();
  const bodyId = useId();
  const name = useId();
  const [choice, setChoice] = useState<'keep' | 'delete' | null>(null);
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [missing, setMissing] = useState(false);

  const confirm = async () => {
    if (!choice) {
      setMissing(true);
      return;
    }
    setWorking(true);
    setError(null);
    try {
      await useGoogle.getState().resetConnection(scope, choice);
      onClose();
    } catch (e) {
      setError(e);
      setWorking(false);
    }
  };

  return (
    <Dialog title={t(scope === 'account' ? 'google.resetDialog.accountTitle' : 'google.resetDialog.calendarTitle')} describedBy={bodyId} onClose={onClose} busy={working} testId="reset-dialog">
      <p id={bodyId} className="dialog-body">
        {scope === 'account' ? t('google.resetDialog.accountBody', { email: accountEmail }) : t('google.resetDialog.calendarBody', { name: calendarName })}
      </p>
      <fieldset className="choice-group" aria-invalid={missing} aria-describedby={missing ? `${name}-missing` : undefined}>
        <legend className="field-label">{t('google.resetDialog.question')}</legend>
        {(['keep', 'delete'] as const).map((value) => (
          <label key={value} className={`choice${choice === value ? ' selected' : ''}`}>
            <input
              type="radio"
              name={name}
              value={value}
              checked={choice === value}
              onChange={() => {
                setChoice(value);
                setMissing(false);
              }}
              disabled={working}
              data-testid={`reset-${value}`}
            />
            <span className="toggle-text">
              <span className="toggle-label">{t(`google.resetDialog.${value}`)}</span>
              <span className="field-hint">{value === 'keep' ? t('google.resetDialog.keepHint') : scope === 'account' ? t('google.resetDialog.deleteHint') : t('google.resetDialog.deleteHintCalendar')}</span>
            </span>
          </label>
        ))}
        {missing ? (
          <span className="field-error" id={`${name}-missing`} role="alert">
            {t('google.resetDialog.choose')}
          </span>
        ) : null}
      </fieldset>
      {error instanceof CrmError && error.code === 'CONFLICT' ? (
        <div className="error-line" role="alert" data-testid="reset-error">
          <span>{t('google.resetFailed')}</span>
        </div>
      ) : (
        <ErrorLine error={error} testId="reset-error" />
      )}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose} disabled={working} data-testid="reset-cancel">
          {t('google.cancel')}
        </button>
        <button type="button" className="button danger" onClick={() => void confirm()} disabled={working} aria-busy={working} data-testid="reset-confirm">
          {working ? <span className="spinner" aria-hidden="true" /> : null}
          {working ? t('google.resetDialog.working') : t('google.resetDialog.confirm')}
        </button>
      </div>
    </Dialog>
  );
}
