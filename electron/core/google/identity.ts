/**
 * How this app marks what it creates in Google, defined once: the agenda and contacts sync
 * write these markers, and Reset (delete in Google) and a resync after a reset find their items
 * by them, so reconnecting to the same account never creates duplicates (BRIEF §2).
 */

/**
 * Calendar: a private extended property on every event the app creates, valued with the CRM
 * action id. Private properties are visible only to this user's copy of the event ("Extended
 * properties", Calendar API guides); keys ≤ 44 characters.
 */
export const EVENT_CRM_ID = 'crmActionId';

/**
 * People: a `clientData` entry on every contact the app creates, valued with the CRM contact
 * id. clientData is "arbitrary client data populated by clients" (People API, Person.clientData).
 */
export const CONTACT_CRM_ID = 'crmContactId';

/**
 * People: a second `clientData` entry, valued with the CRM contact's creation time. Contact ids
 * can be handed out again after a deletion (SQLite reuses the highest rowid), and a contact taken
 * off the list stays in Google with its id: the stamp keeps a later contact with the same id from
 * being linked to — and written over — the old one's Google contact.
 */
export const CONTACT_CRM_STAMP = 'crmContactCreated';

/** The scopes the app asks for: Calendar, Contacts, and the e-mail to check the account. */
export const GOOGLE_SCOPES = {
  calendar: 'https://www.googleapis.com/auth/calendar',
  contacts: 'https://www.googleapis.com/auth/contacts',
  email: 'https://www.googleapis.com/auth/userinfo.email',
} as const;

export const REQUESTED_SCOPES = [GOOGLE_SCOPES.calendar, GOOGLE_SCOPES.contacts, 'openid', 'email'];
/** What the sync cannot work without (the e-mail scope is checked through the account's address). */
export const REQUIRED_SCOPES = [GOOGLE_SCOPES.calendar, GOOGLE_SCOPES.contacts];
