import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ActionType, AppSettings, ConflictRule, SessionUser, SyncPrefs } from '../../../shared/contract';
import { bridge } from '../api/bridge';
import { ErrorLine } from '../components/ErrorLine';
import { useGoogle } from '../stores/google';
import { usePreferences, type SettingsPatch, type SyncPrefsPatch } from '../stores/preferences';
import { AdminGoogleForm } from './preferences/AdminGoogleForm';
import { FormFooter, TextField, Toggle, usePatchForm } from './preferences/fields';
import { GoogleCard } from './preferences/GoogleCard';
import { ContactSyncListCard } from './sync/ContactSyncListCard';

export function PreferencesView({ user }: { user: SessionUser }) {
  const { t } = useTranslation();
  const { prefs, settings, loading, error, load } = usePreferences();
  const client = useGoogle((s) => s.client);
  const clientError = useGoogle((s) => s.clientError);
  const [types, setTypes] = useState<ActionType[]>([]);

  useEffect(() => {
    void usePreferences.getState().load();
    void useGoogle.getState().load(user.isAdmin);
    if (user.isAdmin) void bridge['actionTypes.list']({}).then(setTypes, () => setTypes([]));
  }, [user.isAdmin]);

  return (
    <div className="page page-narrow">
      <div className="page-head">
        <h1>{t('prefs.title')}</h1>
      </div>
      <ErrorLine error={error} onRetry={() => void load()} />
      {loading && !prefs ? <p className="muted">{t('common.loading')}</p> : null}
      {prefs ? <GoogleCard loginEmail={prefs.googleEmail} calendarName={prefs.calendarName} /> : null}
      {prefs ? <SyncPrefsForm key={prefs.userId} prefs={prefs} /> : null}
      {prefs ? <ContactSyncListCard /> : null}
      {user.isAdmin ? <ErrorLine error={clientError} onRetry={() => void useGoogle.getState().load(true)} /> : null}
      {user.isAdmin && client ? <AdminGoogleForm client={client} /> : null}
      {user.isAdmin && settings ? <SettingsForm settings={settings} types={types} /> : null}
    </div>
  );
}

interface PrefsDraft {
  googleEmail: string;
  calendarName: string;
  monthsBefore: string;
  monthsAfter: string;
  automaticSync: boolean;
  startupSync: boolean;
  colorTransfer: boolean;
  conflictRule: ConflictRule;
}

const CONFLICT_RULES: readonly ConflictRule[] = ['newest', 'crm', 'google'];

const toDraft = (p: SyncPrefs): PrefsDraft => ({
  googleEmail: p.googleEmail,
  calendarName: p.calendarName,
  monthsBefore: String(p.monthsBefore),
  monthsAfter: String(p.monthsAfter),
  automaticSync: p.automaticSync,
  startupSync: p.startupSync,
  colorTransfer: p.colorTransfer,
  conflictRule: p.conflictRule,
});

function SyncPrefsForm({ prefs }: { prefs: SyncPrefs }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<PrefsDraft>(() => toDraft(prefs));
  const { status, fieldErrors, save, edited } = usePatchForm();
  const ruleHintId = useId();

  const set = <K extends keyof PrefsDraft>(key: K, value: PrefsDraft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    edited(key);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    const patch: SyncPrefsPatch = {};
    if (draft.googleEmail.trim() !== prefs.googleEmail) patch.googleEmail = draft.googleEmail.trim();
    if (draft.calendarName !== prefs.calendarName) patch.calendarName = draft.calendarName;
    for (const key of ['monthsBefore', 'monthsAfter'] as const) {
      const raw = draft[key].trim();
      const n = Number(raw);
      if (raw === '' || !Number.isInteger(n)) local[key] = t('errors.notInteger');
      else if (n !== prefs[key]) patch[key] = n;
    }
    for (const key of ['automaticSync', 'startupSync', 'colorTransfer'] as const) if (draft[key] !== prefs[key]) patch[key] = draft[key];
    if (draft.conflictRule !== prefs.conflictRule) patch.conflictRule = draft.conflictRule;
    await save({ patch, local, send: (p) => usePreferences.getState().savePrefs(p), onSaved: (saved) => setDraft(toDraft(saved)), savedText: t('prefs.saved') });
  };

  return (
    <form className="card form" onSubmit={(e) => void submit(e)} data-testid="prefs-form" noValidate>
      <h2 className="card-title">{t('prefs.agendaTitle')}</h2>
      <p className="muted">{t('prefs.agendaIntro')}</p>
      <div className="form-grid">
        <TextField label={t('prefs.googleEmail')} error={fieldErrors.googleEmail} name="googleEmail">
          {(id, describedBy) => (
            <input id={id} type="email" autoComplete="off" spellCheck={false} value={draft.googleEmail} onChange={(e) => set('googleEmail', e.target.value)} aria-invalid={!!fieldErrors.googleEmail} aria-describedby={describedBy} data-testid="prefs-googleEmail" />
          )}
        </TextField>
        <TextField label={t('prefs.calendarName')} hint={t('prefs.calendarNameHint')} error={fieldErrors.calendarName} name="calendarName">
          {(id, describedBy) => (
            <input id={id} value={draft.calendarName} onChange={(e) => set('calendarName', e.target.value)} aria-invalid={!!fieldErrors.calendarName} aria-describedby={describedBy} data-testid="prefs-calendarName" />
          )}
        </TextField>
        <TextField label={t('prefs.monthsBefore')} hint={t('prefs.monthsBeforeHint')} error={fieldErrors.monthsBefore} name="monthsBefore">
          {(id, describedBy) => (
            <input id={id} className="narrow" type="number" inputMode="numeric" min={0} max={24} step={1} value={draft.monthsBefore} onChange={(e) => set('monthsBefore', e.target.value)} aria-invalid={!!fieldErrors.monthsBefore} aria-describedby={describedBy} data-testid="prefs-monthsBefore" />
          )}
        </TextField>
        <TextField label={t('prefs.monthsAfter')} hint={t('prefs.monthsAfterHint')} error={fieldErrors.monthsAfter} name="monthsAfter">
          {(id, describedBy) => (
            <input id={id} className="narrow" type="number" inputMode="numeric" min={0} max={24} step={1} value={draft.monthsAfter} onChange={(e) => set('monthsAfter', e.target.value)} aria-invalid={!!fieldErrors.monthsAfter} aria-describedby={describedBy} data-testid="prefs-monthsAfter" />
          )}
        </TextField>
      </div>
      <div className="toggles">
        <Toggle label={t('prefs.automaticSync')} hint={t('prefs.automaticSyncHint')} checked={draft.automaticSync} onChange={(v) => set('automaticSync', v)} testId="prefs-automaticSync" />
        <Toggle label={t('prefs.startupSync')} hint={t('prefs.startupSyncHint')} checked={draft.startupSync} onChange={(v) => set('startupSync', v)} testId="prefs-startupSync" />
        <Toggle label={t('prefs.colorTransfer')} hint={t('prefs.colorTransferHint')} checked={draft.colorTransfer} onChange={(v) => set('colorTransfer', v)} testId="prefs-colorTransfer" />
      </div>
      {/* How a field changed on both sides since the last sync is decided (merge.ts, the engine). */}
      <fieldset className="choice-group conflict-rule" aria-describedby={ruleHintId} data-testid="prefs-conflictRule">
        <legend className="field-label">{t('prefs.conflictRule')}</legend>
        <p className="field-hint" id={ruleHintId}>
          {t('prefs.conflictRuleHint')}
        </p>
        {CONFLICT_RULES.map((rule) => (
          <label key={rule} className={`choice${draft.conflictRule === rule ? ' selected' : ''}`}>
            <input type="radio" name="conflictRule" value={rule} checked={draft.conflictRule === rule} onChange={() => set('conflictRule', rule)} data-testid={`prefs-conflictRule-${rule}`} />
            <span className="toggle-text">
              <span className="toggle-label">{t(`prefs.conflictRules.${rule}`)}</span>
              <span className="field-hint">{t(`prefs.conflictRules.${rule}Hint`)}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <FormFooter status={status} testId="prefs" />
    </form>
  );
}

function SettingsForm({ settings, types }: { settings: AppSettings; types: ActionType[] }) {
  const { t } = useTranslation();
  const [companyName, setCompanyName] = useState(settings.companyName);
  const [typeId, setTypeId] = useState<string>(settings.defaultActionTypeId === null ? '' : String(settings.defaultActionTypeId));
  const { status, fieldErrors, setFieldErrors, save } = usePatchForm();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const patch: SettingsPatch = {};
    if (companyName.trim() !== settings.companyName) patch.companyName = companyName.trim();
    const nextType = typeId === '' ? null : Number(typeId);
    if (nextType !== settings.defaultActionTypeId) patch.defaultActionTypeId = nextType;
    await save({
      patch,
      send: (p) => usePreferences.getState().saveSettings(p),
      onSaved: (saved) => {
        setCompanyName(saved.companyName);
        setTypeId(saved.defaultActionTypeId === null ? '' : String(saved.defaultActionTypeId));
      },
      savedText: t('prefs.settingsSaved'),
    });
  };

  return (
    <form className="card form" onSubmit={(e) => void submit(e)} data-testid="settings-form" noValidate>
      <h2 className="card-title">{t('prefs.adminTitle')}</h2>
      <p className="muted">{t('prefs.adminIntro')}</p>
      <div className="form-grid">
        <TextField label={t('prefs.companyName')} error={fieldErrors.companyName} name="companyName">
          {(id, describedBy) => (
            <input
              id={id}
              value={companyName}
              onChange={(e) => {
                setCompanyName(e.target.value);
                setFieldErrors({});
              }}
              aria-invalid={!!fieldErrors.companyName}
              aria-describedby={describedBy}
              data-testid="settings-companyName"
            />
          )}
        </TextField>
        <TextField label={t('prefs.defaultActionType')} hint={t('prefs.defaultActionTypeHint')} error={fieldErrors.defaultActionTypeId} name="defaultActionTypeId">
          {(id, describedBy) => (
            <select id={id} value={typeId} onChange={(e) => setTypeId(e.target.value)} aria-describedby={describedBy} data-testid="settings-defaultActionType">
              <option value="">{t('common.none')}</option>
              {types.map((at) => (
                <option key={at.id} value={String(at.id)}>
                  {at.label}
                </option>
              ))}
            </select>
          )}
        </TextField>
      </div>
      <FormFooter status={status} testId="settings" />
    </form>
  );
}

