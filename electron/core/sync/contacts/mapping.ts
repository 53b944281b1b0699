/**
 * CRM contact ↔ Google person (BRIEF §4, FTC019 §3.4.2).
 *
 * CRM → Google only ("owned" fields): the name as ONE name — first + last in `unstructuredName`
 * (People: "When only the unstructured_name is set, it is parsed to produce a best-guess set of
 * structured name values"), so civility and the separate first/last fields are not synced;
 * the e-mail (type work), phone (type work), mobile (type mobile), the postal address (type work:
 * line 1 as the street, lines 2–3 as the extended address, postal code, city, country), company
 * and job title (the one organization). Both ways: the comment, as the biography (singleton).
 *
 * What the user added in Google beside ours — a home phone, a private e-mail, another address —
 * is theirs: it is read back and sent again with every update (a People update replaces a whole
 * field), never removed.
 */
import type { people_v1 } from '@googleapis/people';
import { z } from 'zod';
import { CONTACT_CRM_ID, CONTACT_CRM_STAMP } from '../../google/identity';

export type Person = people_v1.Schema$Person;

/** Fields read back on every pull and every write. */
export const PERSON_FIELDS = 'names,emailAddresses,phoneNumbers,addresses,organizations,biographies,clientData,metadata';
/** Every field an update writes (a field in the mask but absent from the person is cleared). */
export const UPDATE_MASK = 'names,emailAddresses,phoneNumbers,addresses,organizations,biographies,clientData';

export interface OwnedAddress {
  street: string;
  extended: string;
  postalCode: string;
  city: string;
  country: string;
}

/** The CRM → Google fields, as the CRM holds them and as Google shows them. */
export interface Owned {
  name: string;
  email: string;
  phone: string;
  mobile: string;
  address: OwnedAddress;
  company: string;
  jobTitle: string;
}

export const OWNED_KEYS = ['name', 'email', 'phone', 'mobile', 'address', 'company', 'jobTitle'] as const satisfies readonly (keyof Owned)[];

/** Google's entries that are not ours, kept as they are (metadata stripped). */
export interface Extras {
  emailAddresses: Record<string, unknown>[];
  phoneNumbers: Record<string, unknown>[];
  addresses: Record<string, unknown>[];
}

export const noExtras = (): Extras => ({ emailAddresses: [], phoneNumbers: [], addresses: [] });

/** A list contact as the engine reads it (sync/contacts/store.ts). */
export interface ContactRow {
  id: number;
  created_at: string;
  updated_at: string;
  first_name: string;
  last_name: string;
  job_title: string;
  email: string;
  phone: string;
  mobile: string;
  address_line1: string;
  address_line2: string;
  address_line3: string;
  postal_code: string;
  city: string;
  country: string;
  comment: string;
  company_name: string | null;
  photo_sha256: string | null;
}

const join = (parts: string[], sep: string) =>
  parts
    .map((p) => p.trim())
    .filter(Boolean)
    .join(sep);

export function displayName(row: Pick<ContactRow, 'first_name' | 'last_name'>): string {
  return join([row.first_name, row.last_name], ' ');
}

export function ownedOfCrm(row: ContactRow): Owned {
  return {
    name: displayName(row),
    email: row.email.trim(),
    phone: row.phone.trim(),
    mobile: row.mobile.trim(),
    address: {
      street: row.address_line1.trim(),
      extended: join([row.address_line2, row.address_line3], '\n'),
      postalCode: row.postal_code.trim(),
      city: row.city.trim(),
      country: row.country.trim(),
    },
    company: (row.company_name ?? '').trim(),
    jobTitle: row.job_title.trim(),
  };
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

function firstOfType<T extends { type?: string | null }>(items: T[] | undefined, type: string): T | undefined {
  return (items ?? []).find((i) => i.type === type);
}

/** Our values as Google holds them now (what a user may have edited in Google). */
export function ownedOfPerson(p: Person): Owned {
  const name = p.names?.[0];
  const addr = firstOfType(p.addresses, 'work');
  const org = p.organizations?.[0];
  return {
    name: str(name?.unstructuredName) || str(name?.displayName),
    email: str(firstOfType(p.emailAddresses, 'work')?.value),
    phone: str(firstOfType(p.phoneNumbers, 'work')?.value),
    mobile: str(firstOfType(p.phoneNumbers, 'mobile')?.value),
    address: { street: str(addr?.streetAddress), extended: str(addr?.extendedAddress), postalCode: str(addr?.postalCode), city: str(addr?.city), country: str(addr?.country) },
    company: str(org?.name),
    jobTitle: str(org?.title),
  };
}

export function commentOfPerson(p: Person): string {
  return str(p.biographies?.[0]?.value);
}

/** Read-only parts Google adds to each entry; sending them back is refused or pointless. */
const READ_ONLY = new Set(['metadata', 'formattedType', 'canonicalForm', 'formattedValue', 'formattedProtocol']);

function clean(item: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (!READ_ONLY.has(k) && v !== null && v !== undefined) out[k] = v;
  return out;
}

/** The entries of the user's own (not of the types we write), to send back untouched. */
export function extrasOfPerson(p: Person): Extras {
  const skipFirst = <T extends { type?: string | null }>(items: T[] | undefined, ours: string[]): Record<string, unknown>[] => {
    const taken = new Set<string>();
    const out: Record<string, unknown>[] = [];
    for (const i of items ?? []) {
      const t = i.type ?? '';
      if (ours.includes(t) && !taken.has(t)) {
        taken.add(t);
        continue;
      }
      out.push(clean(i));
    }
    return out;
  };
  return {
    emailAddresses: skipFirst(p.emailAddresses, ['work']),
    phoneNumbers: skipFirst(p.phoneNumbers, ['work', 'mobile']),
    addresses: skipFirst(p.addresses, ['work']),
  };
}

export interface Marker {
  id: number;
  /** The CRM contact's creation time: tells a contact from a later one that got the same id. */
  stamp: string | null;
}

export function markerOf(p: Person): Marker | null {
  const data = p.clientData ?? [];
  const raw = data.find((d) => d.key === CONTACT_CRM_ID)?.value;
  if (!raw || !/^\d{1,15}$/.test(raw)) return null;
  return { id: Number(raw), stamp: data.find((d) => d.key === CONTACT_CRM_STAMP)?.value ?? null };
}

/** Whether a person found in Google is this CRM contact's (its id, and its stamp when it has one). */
export function markerMatches(m: Marker | null, row: Pick<ContactRow, 'id' | 'created_at'>): boolean {
  return m !== null && m.id === row.id && (m.stamp === null || m.stamp === row.created_at);
}

/** The person to create or to write over the existing one (with the user's extras). */
export function personOf(owned: Owned, comment: string, extras: Extras, row: Pick<ContactRow, 'id' | 'created_at'>): Person {
  const a = owned.address;
  const hasAddress = a.street || a.extended || a.postalCode || a.city || a.country;
  return {
    names: owned.name ? [{ unstructuredName: owned.name }] : [],
    emailAddresses: [...(owned.email ? [{ value: owned.email, type: 'work' }] : []), ...extras.emailAddresses],
    phoneNumbers: [...(owned.phone ? [{ value: owned.phone, type: 'work' }] : []), ...(owned.mobile ? [{ value: owned.mobile, type: 'mobile' }] : []), ...extras.phoneNumbers],
    addresses: [
      ...(hasAddress
        ? [{ type: 'work', ...(a.street ? { streetAddress: a.street } : {}), ...(a.extended ? { extendedAddress: a.extended } : {}), ...(a.postalCode ? { postalCode: a.postalCode } : {}), ...(a.city ? { city: a.city } : {}), ...(a.country ? { country: a.country } : {}) }]
        : []),
      ...extras.addresses,
    ],
    organizations: owned.company || owned.jobTitle ? [{ type: 'work', ...(owned.company ? { name: owned.company } : {}), ...(owned.jobTitle ? { title: owned.jobTitle } : {}) }] : [],
    biographies: comment ? [{ value: comment, contentType: 'TEXT_PLAIN' }] : [],
    clientData: [
      { key: CONTACT_CRM_ID, value: String(row.id) },
      { key: CONTACT_CRM_STAMP, value: row.created_at },
    ],
  };
}

const EmailRule = z.email();

/**
 * What the CRM holds that Google must not get, as a sentence for that contact's error; null when
 * it can go. The CRM checks e-mails when they are typed; older or imported data may still hold a
 * bad one, and sending it would make Google refuse the whole batch it is in.
 */
export function invalidReason(owned: Owned): string | null {
  if (owned.email && !EmailRule.safeParse(owned.email).success) return `the e-mail address "${owned.email.slice(0, 80)}" is not valid: correct it in the CRM`;
  if (!owned.name && !owned.email && !owned.phone && !owned.mobile && !owned.company) return 'it has no name, e-mail, phone or company: Google would show an empty contact';
  return null;
}

export const sameOwned = (a: Owned, b: Owned) => JSON.stringify(a) === JSON.stringify(b);

/** The owned fields that differ, for the log. */
export function changedKeys(a: Owned, b: Owned): (keyof Owned)[] {
  return OWNED_KEYS.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

export const FIELD_LABELS: Record<keyof Owned, string> = {
  name: 'name',
  email: 'e-mail',
  phone: 'phone',
  mobile: 'mobile',
  address: 'address',
  company: 'company',
  jobTitle: 'job title',
};
