import type { TFunction } from 'i18next';
import { CrmError } from '../../../shared/errors';
import { NetworkError, toCrmError } from '../api/bridge';

/** Labels for the input fields a BAD_INPUT may name (dotted paths from the contract). */
export function fieldLabel(t: TFunction, field: string): string {
  const last = field.split('.').pop() ?? field;
  switch (last) {
    case 'googleEmail':
      return t('prefs.googleEmail');
    case 'calendarName':
      return t('prefs.calendarName');
    case 'monthsBefore':
      return t('prefs.monthsBefore');
    case 'monthsAfter':
      return t('prefs.monthsAfter');
    case 'companyName':
      return t('prefs.companyName');
    case 'defaultActionTypeId':
      return t('prefs.defaultActionType');
    case 'login':
      return t('login.login');
    case 'password':
      return t('login.password');
    case 'query':
      return t('contacts.search');
    default:
      return field;
  }
}

/**
 * The message shown next to a form field for a BAD_INPUT naming it: what to enter rather than
 * which field is wrong (the field is right there).
 */
export function fieldErrorText(t: TFunction, field: string, value: unknown): string {
  const last = field.split('.').pop() ?? field;
  if (typeof value === 'string' && value.trim() === '' && last !== 'googleEmail') return t('errors.required');
  switch (last) {
    case 'googleEmail':
      return t('errors.invalidEmail');
    case 'monthsBefore':
    case 'monthsAfter':
      return t('errors.monthsRange');
    default:
      return t('errors.fieldInvalid');
  }
}

/** One sentence for the user, in the current language, from any failure. */
export function errorText(t: TFunction, error: unknown): string {
  if (error instanceof NetworkError) return t('errors.NETWORK');
  const e = error instanceof CrmError ? error : toCrmError(error);
  switch (e.code) {
    case 'BAD_INPUT':
      return e.field ? t('errors.BAD_INPUT', { field: fieldLabel(t, e.field) }) : t('errors.BAD_INPUT_GENERIC');
    case 'BAD_CREDENTIALS':
      return t('errors.BAD_CREDENTIALS');
    case 'FORBIDDEN':
      return t('errors.FORBIDDEN');
    case 'NOT_FOUND':
      return t('errors.NOT_FOUND');
    case 'UNAUTHENTICATED':
      return t('errors.UNAUTHENTICATED');
    case 'CONFLICT':
      return t('errors.CONFLICT');
    case 'UNKNOWN_CHANNEL':
      return t('errors.UNKNOWN_CHANNEL');
    default:
      return t('errors.INTERNAL');
  }
}
