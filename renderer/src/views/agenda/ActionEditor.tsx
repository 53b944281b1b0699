import { useEffect, useId, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { Action, ActionPatch, ActionType, Period } from '../../../../shared/contract';
import { CrmError } from '../../../../shared/errors';
import { toCrmError } from '../../api/bridge';
import { ErrorLine } from '../../components/ErrorLine';
import { dayKey, fmt, zonedInstant } from '../../lib/dates';
import { samePeriod } from '../../lib/period';
import { useAgenda } from '../../stores/agenda';

/** What the form holds: strings as typed, so nothing typed is lost whatever the core answers. */
export interface Draft {
  title: string;
  location: string;
  typeId: string;
  allDay: boolean;
  startDate: string;
  startTime: string;
  endDate: string;
  endTime: string;
  private: boolean;
  reminderOn: boolean;
  reminderMinutes: string;
  description: string;
}

/** The form's fields, as the core's BAD_INPUT paths (`patch.period.end`, …) are mapped onto them. */
type FieldKey = 'title' | 'location' | 'typeId' | 'startDate' | 'startTime' | 'endDate' | 'endTime' | 'reminderMinutes' | 'description' | 'private';

export function toDraft(a: Action, timeZone: string): Draft {
  const p = a.period;
  const timed = p.allDay
    ? { startDate: p.startDate, startTime: '09:00', endDate: p.endDate, endTime: '10:00' }
    : {
        startDate: dayKey(Date.parse(p.start), timeZone),
        startTime: fmt(Date.parse(p.start), 'HH:mm', timeZone),
        endDate: dayKey(Date.parse(p.end), timeZone),
        endTime: fmt(Date.parse(p.end), 'HH:mm', timeZone),
      };
  return {
    title: a.title,
    location: a.location,
    typeId: String(a.typeId),
    allDay: p.allDay,
    ...timed,
    private: a.private,
    reminderOn: a.reminder.enabled,
    reminderMinutes: String(a.reminder.minutesBefore),
    description: a.description,
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The patch a draft makes to the action it started from: only the fields the user changed, so an
 * edit never overwrites what a sync brought in meanwhile on the fields left alone. `local` holds
 * what cannot even be sent (a date or time left half-typed); every other rule is the core's.
 */
export function patchOf(draft: Draft, base: Action, timeZone: string, t: TFunction): { patch: ActionPatch; local: Partial<Record<FieldKey, string>> } {
  const local: Partial<Record<FieldKey, string>> = {};
  const patch: ActionPatch = {};
  if (draft.title !== base.title) patch.title = draft.title;
  if (draft.location !== base.location) patch.location = draft.location;
  if (Number(draft.typeId) !== base.typeId) patch.typeId = Number(draft.typeId);
  if (draft.private !== base.private) patch.private = draft.private;
  if (draft.description !== base.description) patch.description = draft.description;

  let period: Period | null = null;
  if (draft.allDay) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(draft.startDate)) local.startDate = t('actionEdit.errors.date');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(draft.endDate)) local.endDate = t('actionEdit.errors.date');
    if (!local.startDate && !local.endDate) period = { allDay: true, startDate: draft.startDate, endDate: draft.endDate };
  } else {
    const start = zonedInstant(draft.startDate, draft.startTime, timeZone);
    const end = zonedInstant(draft.endDate, draft.endTime, timeZone);
    if (!start) local[/^\d{4}-\d{2}-\d{2}$/.test(draft.startDate) ? 'startTime' : 'startDate'] = /^\d{4}-\d{2}-\d{2}$/.test(draft.startDate) ? t('actionEdit.errors.time') : t('actionEdit.errors.date');
    if (!end) local[/^\d{4}-\d{2}-\d{2}$/.test(draft.endDate) ? 'endTime' : 'endDate'] = /^\d{4}-\d{2}-\d{2}$/.test(draft.endDate) ? t('actionEdit.errors.time') : t('actionEdit.errors.date');
    if (start && end) period = { allDay: false, start, end };
  }
  if (period && !samePeriod(period, base.period)) patch.period = period;

  const minutes = draft.reminderMinutes.trim();
  const n = Number(minutes);
  if (draft.reminderOn && (minutes === '' || !Number.isInteger(n))) local.reminderMinutes = t('errors.notInteger');
  else {
    // Off: the delay stays what it was (Google keeps no delay for an event without reminder).
    const reminder = { enabled: draft.reminderOn, minutesBefore: draft.reminderOn ? n : base.reminder.minutesBefore };
    if (!same(reminder, base.reminder)) patch.reminder = reminder;
  }
  return { patch, local };
}

/** Which form field a core BAD_INPUT names (`patch.period.end` → endTime on a timed action). */
export function fieldOfPath(path: string | undefined, allDay: boolean): FieldKey | null {
  if (!path) return null;
  const parts = path.replace(/^patch\./, '').split('.');
  switch (parts[0]) {
    case 'title':
    case 'location':
    case 'typeId':
    case 'description':
    case 'private':
      return parts[0];
    case 'reminder':
      return 'reminderMinutes';
    case 'period': {
      const last = parts[1] ?? 'end';
      if (allDay) return last === 'startDate' ? 'startDate' : 'endDate';
      return last === 'start' ? 'startTime' : 'endTime';
    }
    default:
      return null;
  }
}

/** What to do, in the user's language, for a field the core refused. */
function fieldText(t: TFunction, field: FieldKey, draft: Draft): string {
  switch (field) {
    case 'title':
      return draft.title.trim() === '' ? t('actionEdit.errors.required') : t('actionEdit.errors.titleTooLong');
    case 'location':
      return t('actionEdit.errors.locationTooLong');
    case 'description':
      return t('actionEdit.errors.descriptionTooLong');
    case 'typeId':
      return t('actionEdit.errors.typeUnknown');
    case 'reminderMinutes':
      return t('actionEdit.errors.reminderRange');
    case 'endDate':
    case 'startDate':
      return draft.allDay ? t('actionEdit.errors.endDateBeforeStart') : t('actionEdit.errors.endBeforeStart');
    case 'endTime':
    case 'startTime':
      return t('actionEdit.errors.endBeforeStart');
    default:
      return t('errors.fieldInvalid');
  }
}

/** `saved` keeps which note to show, not its text: the language may change while it is shown. */
type Status = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved'; note: 'saved' | 'nothing' } | { kind: 'error'; error: unknown };

interface Props {
  /** The action as `actions.get` read it: the form starts from it. */
  action: Action;
  types: ActionType[];
  timeZone: string;
  /** Whether the form holds unsaved input (the panel then ignores Escape). */
  onDirty(dirty: boolean): void;
  /** A new action (`action` is the prefilled slot): saved with actions.create, title focused. */
  create?: boolean;
}

/**
 * The action's fields, editable (FTC019: the agenda's detail panel): title, location, type,
 * period (timed or all-day), private, reminder, description. Saves with `actions.update`; a field
 * the core refuses shows its error next to it and everything typed stays as it was.
 */
export function ActionEditor({ action, types, timeZone, onDirty, create = false }: Props) {
  const { t } = useTranslation();
  const id = useId();
  // The action the draft started from: the patch is made against it.
  const [base, setBase] = useState(action);
  const [draft, setDraft] = useState(() => toDraft(action, timeZone));
  const [errors, setErrors] = useState<Partial<Record<FieldKey, string>>>({});
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const pristine = useMemo(() => toDraft(base, timeZone), [base, timeZone]);
  const dirty = !same(draft, pristine);

  useEffect(() => onDirty(dirty), [dirty, onDirty]);
  // A new action: straight to its title (after the panel, which focuses its close button).
  useEffect(() => {
    if (!create) return;
    const frame = requestAnimationFrame(() => document.getElementById(`${id}-title`)?.focus());
    return () => cancelAnimationFrame(frame);
  }, [create, id]);
  // Changed elsewhere (a sync, another window) while untouched here: show the new values.
  useEffect(() => {
    if (action.updatedAt !== base.updatedAt && !dirty) {
      setBase(action);
      setDraft(toDraft(action, timeZone));
    }
  }, [action, base.updatedAt, dirty, timeZone]);

  const series = action.seriesId !== null;

  const set = <K extends keyof Draft>(key: K, value: Draft[K], field: FieldKey | null = key as FieldKey) => {
    setDraft((d) => ({ ...d, [key]: value }));
    if (field) setErrors((e) => (field in e ? { ...e, [field]: undefined } : e));
    setStatus((s) => (s.kind === 'saved' || s.kind === 'error' ? { kind: 'idle' } : s));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (status.kind === 'saving') return;
    const { patch, local } = patchOf(draft, base, timeZone, t);
    if (Object.keys(local).length > 0) {
      setErrors(local);
      setStatus({ kind: 'idle' });
      return;
    }
    if (create) {
      setStatus({ kind: 'saving' });
      try {
        await useAgenda.getState().createAction({
          ownerId: base.ownerId,
          typeId: Number(draft.typeId),
          title: draft.title,
          location: draft.location,
          period: patch.period ?? base.period,
          private: draft.private,
          reminder: patch.reminder ?? base.reminder,
          description: draft.description,
        });
      } catch (error) {
        showError(error);
      }
      return;
    }
    if (Object.keys(patch).length === 0) {
      setErrors({});
      setStatus({ kind: 'saved', note: 'nothing' });
      return;
    }
    setStatus({ kind: 'saving' });
    try {
      const saved = await useAgenda.getState().saveAction(action.id, patch);
      setBase(saved);
      setDraft(toDraft(saved, timeZone));
      setErrors({});
      setStatus({ kind: 'saved', note: 'saved' });
    } catch (error) {
      showError(error);
    }
  };

  function showError(error: unknown) {
    const err = error instanceof CrmError ? error : toCrmError(error);
    const field = err.code === 'BAD_INPUT' ? fieldOfPath(err.field, draft.allDay) : null;
    if (field) {
      setErrors({ [field]: fieldText(t, field, draft) });
      setStatus({ kind: 'idle' });
      document.getElementById(`${id}-${field}`)?.focus();
    } else setStatus({ kind: 'error', error });
  }

  const revert = () => {
    setDraft(pristine);
    setErrors({});
    setStatus({ kind: 'idle' });
  };

  const input = (field: FieldKey) => ({
    id: `${id}-${field}`,
    'aria-invalid': errors[field] ? true : undefined,
    'aria-describedby': errors[field] ? `${id}-${field}-error` : undefined,
    'data-testid': `edit-${field}`,
  });

  return (
    <form className="action-form" onSubmit={(e) => void submit(e)} noValidate data-testid="action-form" aria-label={t('agenda.detail.title')}>
      <Field id={`${id}-title`} label={t('actionEdit.title')} error={errors.title}>
        <input {...input('title')} value={draft.title} maxLength={255} onChange={(e) => set('title', e.target.value)} />
      </Field>
      <Field id={`${id}-typeId`} label={t('actionEdit.type')} error={errors.typeId}>
        <select {...input('typeId')} value={draft.typeId} onChange={(e) => set('typeId', e.target.value)}>
          {types.map((at) => (
            <option key={at.id} value={String(at.id)}>
              {at.label}
            </option>
          ))}
        </select>
      </Field>
      <Field id={`${id}-location`} label={t('actionEdit.location')} error={errors.location}>
        <input {...input('location')} value={draft.location} onChange={(e) => set('location', e.target.value)} />
      </Field>

      <fieldset className="period-fields" disabled={series} aria-describedby={series ? `${id}-series` : undefined}>
        <legend className="field-label">{t('agenda.detail.period')}</legend>
        <label className="check-inline">
          <input type="checkbox" checked={draft.allDay} onChange={(e) => {
              set('allDay', e.target.checked, null);
              setErrors((er) => ({ ...er, startDate: undefined, startTime: undefined, endDate: undefined, endTime: undefined }));
            }} data-testid="edit-allDay" />
          {t('actionEdit.allDay')}
        </label>
        <div className="period-row">
          <span className="period-label" aria-hidden="true">
            {draft.allDay ? t('actionEdit.firstDay') : t('actionEdit.start')}
          </span>
          <input type="date" {...input('startDate')} aria-label={draft.allDay ? t('actionEdit.firstDay') : t('actionEdit.startDate')} value={draft.startDate} onChange={(e) => set('startDate', e.target.value)} />
          {!draft.allDay ? <input type="time" {...input('startTime')} aria-label={t('actionEdit.startTime')} value={draft.startTime} onChange={(e) => set('startTime', e.target.value)} /> : null}
        </div>
        <FieldError id={`${id}-startDate-error`} text={errors.startDate} />
        <FieldError id={`${id}-startTime-error`} text={errors.startTime} />
        <div className="period-row">
          <span className="period-label" aria-hidden="true">
            {draft.allDay ? t('actionEdit.lastDay') : t('actionEdit.end')}
          </span>
          <input type="date" {...input('endDate')} aria-label={draft.allDay ? t('actionEdit.lastDay') : t('actionEdit.endDate')} value={draft.endDate} onChange={(e) => set('endDate', e.target.value)} />
          {!draft.allDay ? <input type="time" {...input('endTime')} aria-label={t('actionEdit.endTime')} value={draft.endTime} onChange={(e) => set('endTime', e.target.value)} /> : null}
        </div>
        <FieldError id={`${id}-endDate-error`} text={errors.endDate} />
        <FieldError id={`${id}-endTime-error`} text={errors.endTime} />
        {series ? (
          <p className="field-hint" id={`${id}-series`}>
            {t('actionEdit.seriesNote')}
          </p>
        ) : null}
      </fieldset>

      <label className="check-inline toggle-block">
        <input type="checkbox" checked={draft.private} onChange={(e) => set('private', e.target.checked)} aria-describedby={`${id}-private-hint`} data-testid="edit-private" />
        <span>
          <span className="toggle-label">{t('actionEdit.private')}</span>
          <span className="field-hint block" id={`${id}-private-hint`}>
            {t('actionEdit.privateHint')}
          </span>
        </span>
      </label>

      <div className="reminder-row">
        <label className="check-inline">
          <input type="checkbox" checked={draft.reminderOn} onChange={(e) => set('reminderOn', e.target.checked, 'reminderMinutes')} data-testid="edit-reminderOn" />
          <span className="toggle-label">{t('actionEdit.reminder')}</span>
        </label>
        <input
          type="number"
          className="narrow"
          inputMode="numeric"
          min={0}
          max={40320}
          step={1}
          {...input('reminderMinutes')}
          aria-label={t('actionEdit.reminderMinutes')}
          disabled={!draft.reminderOn}
          value={draft.reminderMinutes}
          onChange={(e) => set('reminderMinutes', e.target.value)}
        />
        <span className="muted" aria-hidden="true">
          {t('actionEdit.minutesBefore')}
        </span>
      </div>
      <FieldError id={`${id}-reminderMinutes-error`} text={errors.reminderMinutes} />

      <Field id={`${id}-description`} label={t('actionEdit.description')} error={errors.description}>
        <textarea {...input('description')} rows={5} value={draft.description} onChange={(e) => set('description', e.target.value)} />
      </Field>

      <div className="form-footer action-form-footer">
        <button type="submit" className="button primary" disabled={status.kind === 'saving'} data-testid="edit-save">
          {status.kind === 'saving' ? t('actionEdit.saving') : create ? t('actionEdit.create') : t('actionEdit.save')}
        </button>
        {dirty && status.kind !== 'saving' ? (
          <button type="button" className="button" onClick={revert} data-testid="edit-revert">
            {t('actionEdit.revert')}
          </button>
        ) : null}
        {status.kind === 'saved' ? (
          <span className="saved" role="status" data-testid="edit-saved">
            ✓ {t(`actionEdit.${status.note}`)}
          </span>
        ) : null}
      </div>
      {status.kind === 'error' ? <ErrorLine error={status.error} testId="edit-error" /> : null}
    </form>
  );
}

function Field({ id, label, error, children }: { id: string; label: string; error: string | undefined; children: ReactNode }) {
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {children}
      <FieldError id={`${id}-error`} text={error} />
    </div>
  );
}

/** `id` is `<form id>-<field>-error`, the input's aria-describedby. */
function FieldError({ id, text }: { id: string; text: string | undefined }) {
  if (!text) return null;
  const field = id.slice(0, -'-error'.length).split('-').pop();
  return (
    <span className="field-error" id={id} role="alert" data-testid={`edit-error-${field}`}>
      {text}
    </span>
  );
}
