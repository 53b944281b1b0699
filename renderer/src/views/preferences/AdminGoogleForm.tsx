/**
 * FTC019 §3.1, ADM only: the Google OAuth desktop client (ID, write-only secret), the app's
 * publishing status and Google's address (the emulator's in the demo).
 */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { GoogleClientStatus } from '../../../../shared/contract';
import { fieldErrorText } from '../../lib/errors';
import { useGoogle, type ClientPatch } from '../../stores/google';
import { FormFooter, TextField, usePatchForm } from './fields';

export function AdminGoogleForm({ client }: { client: GoogleClientStatus }) {
  const { t } = useTranslation();
  const [clientId, setClientId] = useState(client.clientId);
  const [secret, setSecret] = useState('');
  const [publishing, setPublishing] = useState(client.publishing);
  const [rootUrl, setRootUrl] = useState(client.rootUrl ?? '');
  const { status, fieldErrors, save, edited: touched } = usePatchForm();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const patch: ClientPatch = {};
    const local: Record<string, string> = {};
    if (clientId.trim() !== client.clientId) {
      if (clientId.trim() === '') local.clientId = t('errors.required');
      else patch.clientId = clientId.trim();
    }
    if (secret.trim() !== '') patch.clientSecret = secret.trim();
    if (publishing !== client.publishing) patch.publishing = publishing;
    const root = rootUrl.trim().replace(/\/+$/, '');
    if ((root === '' ? null : root) !== client.rootUrl) {
      if (root !== '' && !/^https?:\/\/[^\s/]+/i.test(root)) local.rootUrl = t('adminGoogle.rootUrlInvalid');
      else patch.rootUrl = root === '' ? null : root;
    }
    await save({
      patch,
      local,
      send: (p) => useGoogle.getState().saveClient(p),
      onSaved: (saved) => {
        setClientId(saved.clientId);
        setSecret('');
        setPublishing(saved.publishing);
        setRootUrl(saved.rootUrl ?? '');
      },
      savedText: t('adminGoogle.saved'),
      fieldText: (tt, field, value) => (field === 'rootUrl' ? tt('adminGoogle.rootUrlInvalid') : fieldErrorText(tt, field, value)),
    });
  };

  const storage = client.secretStorage;
  return (
    <form className="card form" onSubmit={(e) => void submit(e)} data-testid="admin-google-form" noValidate>
      <h2 className="card-title">{t('adminGoogle.title')}</h2>
      <p className="muted">{t('adminGoogle.intro')}</p>
      {storage.warning ? (
        <div className="notice warn" role="note" data-testid="admin-google-storage-warning">
          <span className="status-icon warn" aria-hidden="true">
            !
          </span>
          <div>
            <p className="strong">{t('adminGoogle.storageWarning')}</p>
            <p>{t(`adminGoogle.storage.${storage.kind}`)}</p>
            <p className="small muted">{storage.warning}</p>
          </div>
        </div>
      ) : null}
      <div className="form-grid">
        <TextField label={t('adminGoogle.clientId')} hint={t('adminGoogle.clientIdHint')} error={fieldErrors.clientId} name="clientId">
          {(id, describedBy) => (
            <input
              id={id}
              value={clientId}
              onChange={(e) => {
                setClientId(e.target.value);
                touched('clientId');
              }}
              spellCheck={false}
              autoComplete="off"
              aria-invalid={!!fieldErrors.clientId}
              aria-describedby={describedBy}
              data-testid="admin-google-clientId"
            />
          )}
        </TextField>
        <TextField label={t('adminGoogle.secret')} hint={t('adminGoogle.secretHint')} error={fieldErrors.clientSecret} name="clientSecret">
          {(id, describedBy) => (
            <div className="secret-row">
              <span className={`badge ${client.secretSet ? 'badge-ok' : 'badge-warn'}`} data-testid="admin-google-secret-state" data-set={client.secretSet ? 'true' : 'false'}>
                {client.secretSet ? t('adminGoogle.secretSet') : t('adminGoogle.secretNotSet')}
              </span>
              <input
                id={id}
                type="password"
                value={secret}
                onChange={(e) => {
                  setSecret(e.target.value);
                  touched('clientSecret');
                }}
                placeholder={t('adminGoogle.secretReplace')}
                autoComplete="new-password"
                spellCheck={false}
                aria-invalid={!!fieldErrors.clientSecret}
                aria-describedby={describedBy}
                data-testid="admin-google-secret"
              />
            </div>
          )}
        </TextField>
        <fieldset className="field choice-inline">
          <legend className="field-label">{t('adminGoogle.publishing')}</legend>
          <div className="radio-row">
            {(['testing', 'production'] as const).map((p) => (
              <label key={p} className="radio">
                <input
                  type="radio"
                  name="google-publishing"
                  value={p}
                  checked={publishing === p}
                  onChange={() => {
                    setPublishing(p);
                    touched('publishing');
                  }}
                  data-testid={`admin-google-publishing-${p}`}
                />
                {t(`adminGoogle.${p}`)}
              </label>
            ))}
          </div>
          <span className="field-hint">{publishing === 'testing' ? t('adminGoogle.testingNote') : t('adminGoogle.productionNote')}</span>
        </fieldset>
        <TextField label={t('adminGoogle.rootUrl')} hint={t('adminGoogle.rootUrlHint')} error={fieldErrors.rootUrl} name="rootUrl">
          {(id, describedBy) => (
            <input
              id={id}
              type="url"
              value={rootUrl}
              onChange={(e) => {
                setRootUrl(e.target.value);
                touched('rootUrl');
              }}
              spellCheck={false}
              autoComplete="off"
              aria-invalid={!!fieldErrors.rootUrl}
              aria-describedby={describedBy}
              data-testid="admin-google-rootUrl"
            />
          )}
        </TextField>
      </div>
      <FormFooter status={status} testId="admin-google" />
    </form>
  );
}
