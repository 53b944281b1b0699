import { useId, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { CrmError } from '../../../../shared/errors';
import { toCrmError } from '../../api/bridge';
import { ErrorLine } from '../../components/ErrorLine';
import { fieldErrorText } from '../../lib/errors';

export type Status = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved'; text: string } | { kind: 'error'; error: unknown };

/** The last segment of a BAD_INPUT field path (`patch.googleEmail` → `googleEmail`). */
export function fieldOf(error: unknown): string | null {
  const e = error instanceof CrmError ? error : toCrmError(error);
  if (e.code !== 'BAD_INPUT' || !e.field) return null;
  return e.field.replace(/^patch\./, '').split('.')[0] ?? null;
}

/**
 * The save flow every preferences form shares: checks made here first (`local`), nothing to
 * do when the patch is empty, then the call, with the core's BAD_INPUT shown next to its field.
 */
export function usePatchForm() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  async function save<P extends object, R>(options: {
    patch: P;
    local?: Record<string, string>;
    send: (patch: P) => Promise<R>;
    onSaved: (saved: R) => void;
    savedText: string;
    /** A form's own wording for a field the core refused (default: the generic one). */
    fieldText?: (t: TFunction, field: string, value: unknown) => string;
  }): Promise<void> {
    if (options.local && Object.keys(options.local).length > 0) {
      setFieldErrors(options.local);
      setStatus({ kind: 'idle' });
      return;
    }
    if (Object.keys(options.patch).length === 0) {
      setStatus({ kind: 'saved', text: t('prefs.nothingToSave') });
      return;
    }
    setStatus({ kind: 'saving' });
    try {
      options.onSaved(await options.send(options.patch));
      setFieldErrors({});
      setStatus({ kind: 'saved', text: options.savedText });
    } catch (error) {
      const field = fieldOf(error);
      if (field) {
        setFieldErrors({ [field]: (options.fieldText ?? fieldErrorText)(t, field, (options.patch as Record<string, unknown>)[field]) });
        setStatus({ kind: 'idle' });
      } else setStatus({ kind: 'error', error });
    }
  }

  /** Forgets a field's error (and a "saved" note) once the user edits it. */
  function edited(field: string): void {
    setFieldErrors((f) => {
      if (!(field in f)) return f;
      const next = { ...f };
      delete next[field];
      return next;
    });
    setStatus((s) => (s.kind === 'saved' ? { kind: 'idle' } : s));
  }

  return { status, fieldErrors, setFieldErrors, save, edited };
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
