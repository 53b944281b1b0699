import { useId, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { CrmError } from '../../../../shared/errors';
import { toCrmError } from '../../api/bridge';
import { ErrorLine } from '../../components/ErrorLine';

export type Status = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved'; text: string } | { kind: 'error'; error: unknown };

/** The last segment of a BAD_INPUT field path (`patch.googleEmail` → `googleEmail`). */
export function fieldOf(error: unknown): string | null {
  const e = error instanceof CrmError ? error : toCrmError(error);
  if (e.code !== 'BAD_INPUT' || !e.field) return null;
  return e.field.replace(/^patch\./, '').split('.')[0] ?? null;
}

export function FormFooter({ status, testId }: { status: Status; testId: string }) {
  const { t } = useTranslation();
  return (
    <div className="form-footer">
      <button type="submit" className="button primary" disabled={status.kind === 'saving'} data-testid={`${testId}-save`}>
        {status.kind === 'saving' ? t('common.saving') : t('common.save')}
      </button>
      {status.kind === 'saved' ? (
        <span className="saved" role="status" data-testid={`${testId}-saved`}>
          ✓ {status.text}
        </span>
      ) : null}
      {status.kind === 'error' ? <ErrorLine error={status.error} testId={`${testId}-error`} /> : null}
    </div>
  );
}

export function TextField({ label, hint, error, name, children }: { label: string; hint?: string; error?: string; name: string; children: (id: string, describedBy: string | undefined) => ReactNode }) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {children(id, describedBy)}
      {error ? (
        <span className="field-error" id={errorId} role="alert" data-testid={`field-error-${name}`}>
          {error}
        </span>
      ) : hint ? (
        <span className="field-hint" id={hintId}>
          {hint}
        </span>
      ) : null}
    </div>
  );
}

export function Toggle({ label, hint, checked, onChange, testId }: { label: string; hint: string; checked: boolean; onChange(v: boolean): void; testId: string }) {
  return (
    <label className="toggle">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} data-testid={testId} />
      <span className="toggle-text">
        <span className="toggle-label">{label}</span>
        <span className="field-hint">{hint}</span>
      </span>
    </label>
  );
}
