/**
 * People API v1: contacts of the authenticated user.
 * Sources: the People API reference ("people.connections.list", "people.createContact",
 * "people.updateContact", "people.updateContactPhoto", "people.batchCreateContacts",
 * "people.batchUpdateContacts", "people.batchDeleteContacts", "Person" resource), the guide
 * "Read and Manage Contacts" (sync tokens expire after 7 days, mutations per user sequential),
 * and the "Contacts" limits (about 25,000 contacts per account). BRIEF §7.
 */
import { createHash } from 'node:crypto';
import type { Emulator, EmuResponse } from './context';
import { ApiError } from './errors';
import type { ErrorOptions } from './errors';
import { boolParam, intParam, json, jsonBody } from './http';
import type { Call, Route } from './http';
import { SCOPES, subjectOf } from './oauth';
import { signToken, verifyToken } from './signed';
import { isObject, rfc3339 } from './state';
import type { AccessTokenRec, ContactRec, Json, JsonObject } from './state';

const READ = [SCOPES.contacts, SCOPES.contactsReadonly];
const WRITE = [SCOPES.contacts];
const ME = [SCOPES.contacts, SCOPES.contactsReadonly, SCOPES.email, SCOPES.profile, SCOPES.userEmailsRead, SCOPES.openid];

/** personFields accepted by reads ("people.get", personFields). */
export const PERSON_FIELDS = [
  'addresses', 'ageRanges', 'biographies', 'birthdays', 'calendarUrls', 'clientData', 'coverPhotos', 'emailAddresses',
  'events', 'externalIds', 'genders', 'imClients', 'interests', 'locales', 'locations', 'memberships', 'metadata',
  'miscKeywords', 'names', 'nicknames', 'occupations', 'organizations', 'phoneNumbers', 'photos', 'relations',
  'sipAddresses', 'skills', 'urls', 'userDefined',
];
/** updatePersonFields accepted by writes ("people.updateContact"). */
export const UPDATABLE_FIELDS = [
  'addresses', 'biographies', 'birthdays', 'calendarUrls', 'clientData', 'emailAddresses', 'events', 'externalIds',
  'genders', 'imClients', 'interests', 'locales', 'locations', 'memberships', 'miscKeywords', 'names', 'nicknames',
  'occupations', 'organizations', 'phoneNumbers', 'relations', 'sipAddresses', 'urls', 'userDefined',
];
/** "This field is a singleton for contact sources." (Person resource). */
const SINGLETONS = ['names', 'biographies', 'genders', 'birthdays'];
const READ_ONLY = ['resourceName', 'etag', 'metadata', 'photos', 'coverPhotos', 'ageRanges', 'ageRange'];
const SYNC_TOKEN_TTL_MS = 7 * 24 * 3600 * 1000;
const MAX_BATCH_WRITE = 200;
const MAX_BATCH_DELETE = 500;

function invalid(message: string, opts: ErrorOptions = {}): ApiError {
  return new ApiError(400, 'badRequest', message, { status: 'INVALID_ARGUMENT', ...opts });
}

function notFoundPerson(): ApiError {
  return new ApiError(404, 'notFound', 'Requested entity was not found.', { status: 'NOT_FOUND' });
}

function fieldMask(raw: string | null | undefined, name: string, allowed: string[], doc: string): string[] {
  if (!raw) throw invalid(`${name} mask is required. Please specify one or more valid paths. Valid paths are documented at https://developers.google.com/people/api/rest/v1/${doc}.`);
  const fields = raw.split(',').map((f) => f.trim().replace(/^person\./, '')).filter(Boolean);
  for (const f of fields) {
    if (!allowed.includes(f)) throw invalid(`Invalid ${name} mask path: "${f}". Valid paths are documented at https://developers.google.com/people/api/rest/v1/${doc}.`);
  }
  if (fields.length === 0) throw invalid(`${name} mask is required.`);
  return fields;
}

function contactsOf(emu: Emulator, email: string): Record<string, ContactRec> {
  return (emu.state.contacts[email] ??= {});
}

function etagOf(rec: ContactRec): string {
  return '%Ei' + Buffer.from(`${rec.resourceName}:${rec.seq}`).toString('base64');
}

function sourceId(rn: string): string {
  return createHash('sha1').update(rn).digest('hex').slice(0, 16);
}

const TYPE_LABELS: Record<string, string> = { home: 'Home', work: 'Work', other: 'Other', mobile: 'Mobile', main: 'Main', homeFax: 'Home Fax', workFax: 'Work Fax', pager: 'Pager' };

/**
 * Name (People API): "For CONTACT mutates, … When only the unstructured_name is set, it is parsed
 * to produce a best-guess set of structured name values for the given_name, family_name, etc.
 * When only the structured name fields are set, the various values are combined to produce an
 * unstructured_name" (the latter is done on read, in decorate). The best guess here: the last
 * word is the family name, the words before it the given name; the unstructured name is kept as sent.
 */
function parseUnstructured(name: JsonObject): void {
  const structured = ['givenName', 'familyName', 'middleName', 'honorificPrefix', 'honorificSuffix'].some((k) => typeof name[k] === 'string' && name[k] !== '');
  if (structured || typeof name.unstructuredName !== 'string') return;
  const words = name.unstructuredName.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return;
  if (words.length === 1) name.givenName = words[0] as string;
  else {
    name.givenName = words.slice(0, -1).join(' ');
    name.familyName = words[words.length - 1] as string;
  }
}

/** Validate and normalise the writable fields of a person (create, update, batch). */
function cleanFields(person: Record<string, unknown>, fields: string[] | null): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(person)) {
    if (READ_ONLY.includes(key)) continue;
    if (!UPDATABLE_FIELDS.includes(key) && !PERSON_FIELDS.includes(key)) {
      throw invalid(`Invalid JSON payload received. Unknown name "${key}" at 'person': Cannot find field.`);
    }
  }
  for (const key of fields ?? UPDATABLE_FIELDS) {
    const v = person[key];
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v)) throw invalid(`Invalid value at 'person.${key}': expected a list.`);
    if (SINGLETONS.includes(key) && v.length > 1) {
      throw invalid(`Invalid person.${key}: only a single value is allowed for a contact.`);
    }
    if (v.length > 500) throw invalid(`Too many values in person.${key}.`);
    out[key] = v.map((item, i) => {
      if (!isObject(item)) throw invalid(`Invalid value at 'person.${key}[${i}]'.`);
      const clean: JsonObject = {};
      for (const [k, val] of Object.entries(item)) {
        if (k === 'metadata') continue;
        if (typeof val === 'string' && val.length > 32_768) throw invalid(`person.${key}[${i}].${k} is too long.`);
        clean[k] = JSON.parse(JSON.stringify(val)) as Json;
      }
      if (key === 'names') parseUnstructured(clean);
      if (key === 'clientData' || key === 'userDefined') {
        if (typeof clean.key !== 'string' || typeof clean.value !== 'string') throw invalid(`person.${key}[${i}] needs a string key and value.`);
      }
      if (key === 'externalIds' && typeof clean.value !== 'string') throw invalid(`person.externalIds[${i}].value is required.`);
      if (key === 'emailAddresses' && typeof clean.value !== 'string') throw invalid(`person.emailAddresses[${i}].value is required.`);
      return clean;
    });
  }
  return out;
}

function decorate(rec: ContactRec, key: string, item: JsonObject, i: number): JsonObject {
  const meta = { ...(i === 0 ? { primary: true } : {}), source: { type: 'CONTACT', id: sourceId(rec.resourceName) } };
  const out: JsonObject = { metadata: meta, ...item };
  if (key === 'names') {
    const given = typeof item.givenName === 'string' ? item.givenName : '';
    const family = typeof item.familyName === 'string' ? item.familyName : '';
    const display = [item.honorificPrefix, given, item.middleName, family, item.honorificSuffix].filter((x) => typeof x === 'string' && x).join(' ') || (typeof item.unstructuredName === 'string' ? item.unstructuredName : '');
    out.displayName = display;
    out.displayNameLastFirst = family && given ? `${family}, ${given}` : display;
    out.unstructuredName = typeof item.unstructuredName === 'string' ? item.unstructuredName : display;
  }
  if (typeof item.type === 'string' && ['emailAddresses', 'phoneNumbers', 'addresses', 'urls', 'externalIds', 'relations', 'events'].includes(key)) {
    out.formattedType = TYPE_LABELS[item.type] ?? item.type;
  }
  if (key === 'phoneNumbers' && typeof item.value === 'string' && /^\+[\d\s().-]{6,}$/.test(item.value)) {
    out.canonicalForm = '+' + item.value.replace(/\D/g, '');
  }
  if (key === 'biographies' && !item.contentType) out.contentType = 'TEXT_PLAIN';
  return out;
}

/** The Person resource as the API returns it, limited to `fields`. */
function present(rec: ContactRec, fields: string[]): JsonObject {
  const etag = etagOf(rec);
  const out: JsonObject = { resourceName: rec.resourceName, etag };
  const source = { type: 'CONTACT', id: sourceId(rec.resourceName), etag, updateTime: rfc3339(rec.updateTime) };
  if (rec.deleted) {
    out.metadata = { sources: [source], objectType: 'PERSON', deleted: true };
    return out;
  }
  for (const f of fields) {
    if (f === 'metadata') out.metadata = { sources: [source], objectType: 'PERSON' };
    else if (f === 'photos') {
      const url = typeof rec.person.__photoUrl === 'string' ? rec.person.__photoUrl : null;
      out.photos = [{ metadata: { primary: true, source: { type: 'CONTACT', id: sourceId(rec.resourceName) } }, url: url ?? `https://lh3.googleusercontent.com/cm/emu-default-${sourceId(rec.resourceName)}=s100`, ...(url ? {} : { default: true }) }];
    } else if (f === 'memberships') {
      out.memberships = [{ metadata: { source: { type: 'CONTACT', id: sourceId(rec.resourceName) } }, contactGroupMembership: { contactGroupId: 'myContacts', contactGroupResourceName: 'contactGroups/myContacts' } }];
    } else if (Array.isArray(rec.person[f]) && (rec.person[f] as Json[]).length > 0) {
      out[f] = (rec.person[f] as JsonObject[]).map((item, i) => decorate(rec, f, item, i));
    }
  }
  return out;
}

function checkLimit(emu: Emulator, email: string, adding: number): void {
  const live = Object.values(contactsOf(emu, email)).filter((c) => !c.deleted).length;
  if (live + adding > emu.opts.maxContactsPerAccount) {
    // "Contacts" limits: an account holds about 25,000 contacts; creating more fails.
    throw new ApiError(400, 'failedPrecondition', `Cannot create contact: the account has reached the maximum of ${emu.opts.maxContactsPerAccount} contacts.`, {
      status: 'FAILED_PRECONDITION',
      details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'CONTACT_LIMIT_EXCEEDED', domain: 'people.googleapis.com' }],
    });
  }
}

function insertContact(emu: Emulator, email: string, person: JsonObject): ContactRec {
  const store = contactsOf(emu, email);
  let rn: string;
  do {
    rn = `people/c${BigInt('0x' + createHash('sha256').update(`${email}:${emu.state.order}:${Math.random()}`).digest('hex').slice(0, 15)).toString()}`;
  } while (store[rn]);
  const rec: ContactRec = { resourceName: rn, owner: email, person, seq: emu.nextSeq(), order: emu.nextOrder(), deleted: false, updateTime: emu.now() };
  store[rn] = rec;
  emu.changed();
  return rec;
}

function touch(emu: Emulator, rec: ContactRec): void {
  rec.seq = emu.nextSeq();
  rec.updateTime = emu.now();
  emu.changed();
}

function me(c: Call): string {
  return (c.auth as AccessTokenRec).email;
}

function readMask(c: Call, raw: string | null | undefined, name = 'personFields', doc = 'people/get'): string[] {
  void c;
  return fieldMask(raw, name, PERSON_FIELDS, doc);
}

function needContacts(c: Call, write: boolean): void {
  const scopes = (c.auth as AccessTokenRec).scopes;
  const ok = write ? scopes.includes(SCOPES.contacts) : scopes.includes(SCOPES.contacts) || scopes.includes(SCOPES.contactsReadonly);
  if (!ok) throw new ApiError(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.', { status: 'PERMISSION_DENIED' });
}

function findLive(c: Call, rn: string): ContactRec {
  const rec = contactsOf(c.emu, me(c))[rn];
  if (!rec || rec.deleted) throw notFoundPerson();
  return rec;
}

function profile(c: Call, fields: string[]): JsonObject {
  const auth = c.auth as AccessTokenRec;
  const account = c.emu.state.accounts[auth.email];
  const id = subjectOf(auth.email);
  const source = { type: 'PROFILE', id };
  const out: JsonObject = { resourceName: `people/${id}`, etag: '%EgMBAgMaBAEC' };
  if (fields.includes('metadata')) out.metadata = { sources: [{ ...source, etag: '%EgMBAgM=' }], objectType: 'PERSON' };
  if (fields.includes('names') && account) out.names = [{ metadata: { primary: true, source }, displayName: account.name, givenName: account.name.split(' ')[0] ?? account.name }];
  // E-mail of the signed-in user needs an e-mail scope ("people.get": authorization scopes).
  const emailScope = [SCOPES.email, SCOPES.userEmailsRead].some((s) => auth.scopes.includes(s));
  if (fields.includes('emailAddresses') && emailScope) out.emailAddresses = [{ metadata: { primary: true, verified: true, source }, value: auth.email }];
  return out;
}

// ---------------------------------------------------------------- handlers

function get(c: Call): EmuResponse {
  const rn = `people/${c.params[0] ?? ''}`;
  const fields = readMask(c, c.req.query.get('personFields') ?? c.req.query.get('requestMask.includeField'));
  if (rn === 'people/me') return json(200, profile(c, fields));
  needContacts(c, false);
  return json(200, present(findLive(c, rn), fields));
}

function batchGet(c: Call): EmuResponse {
  needContacts(c, false);
  const fields = readMask(c, c.req.query.get('personFields'));
  const names = c.req.query.getAll('resourceNames');
  if (names.length === 0) throw invalid('resourceNames is required.');
  if (names.length > 200) throw invalid('Too many resourceNames: at most 200.');
  const store = contactsOf(c.emu, me(c));
  return json(200, {
    responses: names.map((rn) => {
      if (rn === 'people/me') return { httpStatusCode: 200, person: profile(c, fields), requestedResourceName: rn };
      const rec = store[rn];
      if (!rec || rec.deleted) return { httpStatusCode: 404, requestedResourceName: rn, status: { code: 5, message: 'Requested entity was not found.' } };
      return { httpStatusCode: 200, person: present(rec, fields), requestedResourceName: rn };
    }),
  });
}

function create(c: Call): EmuResponse {
  needContacts(c, true);
  const fields = c.req.query.get('personFields') ? readMask(c, c.req.query.get('personFields')) : PERSON_FIELDS.filter((f) => f !== 'photos' && f !== 'memberships' && f !== 'metadata' && f !== 'coverPhotos');
  const body = jsonBody(c.req);
  if (!isObject(body)) throw invalid('Request must include a person.');
  checkLimit(c.emu, me(c), 1);
  return json(200, present(insertContact(c.emu, me(c), cleanFields(body, null)), fields));
}

function etagMatches(rec: ContactRec, person: Record<string, unknown>): 'missing' | 'stale' | 'ok' {
  let etag = typeof person.etag === 'string' ? person.etag : null;
  if (!etag && isObject(person.metadata) && Array.isArray(person.metadata.sources)) {
    const src = person.metadata.sources.find((s) => isObject(s) && typeof s.etag === 'string');
    if (isObject(src)) etag = src.etag as string;
  }
  if (!etag) return 'missing';
  return etag === etagOf(rec) ? 'ok' : 'stale';
}

function applyUpdate(rec: ContactRec, person: Record<string, unknown>, fields: string[]): void {
  const check = etagMatches(rec, person);
  if (check === 'missing') throw invalid('Request must set person.etag or person.metadata.sources.etag for the source that is being updated.');
  if (check === 'stale') {
    throw new ApiError(400, 'failedPrecondition', 'Request person.etag is different than the current person.etag. Clear local cache and get the latest person.', { status: 'FAILED_PRECONDITION' });
  }
  const clean = cleanFields(person, fields);
  const next: JsonObject = { ...rec.person };
  for (const f of fields) {
    if (clean[f] !== undefined) next[f] = clean[f] as Json;
    else delete next[f]; // a field in the mask but absent from the person is cleared
  }
  rec.person = next;
}

function update(c: Call): EmuResponse {
  needContacts(c, true);
  const rn = `people/${c.params[0] ?? ''}`;
  const fields = fieldMask(c.req.query.get('updatePersonFields'), 'updatePersonFields', UPDATABLE_FIELDS, 'people/updateContact');
  const out = c.req.query.get('personFields') ? readMask(c, c.req.query.get('personFields')) : UPDATABLE_FIELDS;
  const body = jsonBody(c.req);
  if (!isObject(body)) throw invalid('Request must include a person.');
  if (typeof body.resourceName === 'string' && body.resourceName !== rn) throw invalid('person.resourceName does not match the resource name of the request.');
  const rec = findLive(c, rn);
  applyUpdate(rec, body, fields);
  touch(c.emu, rec);
  return json(200, present(rec, out));
}

function remove(c: Call): EmuResponse {
  needContacts(c, true);
  const rec = findLive(c, `people/${c.params[0] ?? ''}`);
  rec.deleted = true;
  rec.person = {};
  touch(c.emu, rec);
  return json(200, {});
}

/** "people.updateContactPhoto": base64 photoBytes of a JPEG or PNG image (magic bytes checked). */
function updatePhoto(c: Call): EmuResponse {
  needContacts(c, true);
  const rec = findLive(c, `people/${c.params[0] ?? ''}`);
  const body = jsonBody(c.req);
  if (!isObject(body) || typeof body.photoBytes !== 'string' || body.photoBytes.length === 0) throw invalid('photoBytes is required.');
  const b64 = body.photoBytes;
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(b64)) throw invalid('Invalid value at \'photo_bytes\' (TYPE_BYTES), Base64 decoding failed.');
  const bytes = Buffer.from(b64, 'base64');
  const jpeg = bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  const png = bytes.length > 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  if (!jpeg && !png) throw invalid('Invalid photo: the bytes are not a JPEG or PNG image.');
  const fields = typeof body.personFields === 'string' && body.personFields ? readMask(c, body.personFields) : ['photos'];
  rec.person = { ...rec.person, __photoUrl: `https://lh3.googleusercontent.com/contacts/emu-${createHash('sha1').update(bytes).digest('hex').slice(0, 24)}` };
  touch(c.emu, rec);
  return json(200, { person: present(rec, fields) });
}

function deletePhoto(c: Call): EmuResponse {
  needContacts(c, true);
  const rec = findLive(c, `people/${c.params[0] ?? ''}`);
  const fields = c.req.query.get('personFields') ? readMask(c, c.req.query.get('personFields')) : ['photos'];
  const { __photoUrl: _p, ...rest } = rec.person;
  rec.person = rest;
  touch(c.emu, rec);
  return json(200, { person: present(rec, fields) });
}

function batchCreate(c: Call): EmuResponse {
  needContacts(c, true);
  const body = jsonBody(c.req);
  if (!isObject(body)) throw invalid('Request body is required.');
  const fields = fieldMask(typeof body.readMask === 'string' ? body.readMask : null, 'readMask', PERSON_FIELDS, 'people/batchCreateContacts');
  const contacts = body.contacts;
  if (!Array.isArray(contacts) || contacts.length === 0) throw invalid('contacts is required.');
  if (contacts.length > MAX_BATCH_WRITE) throw invalid(`Too many contacts in the request: at most ${MAX_BATCH_WRITE}.`);
  const cleaned = contacts.map((x, i) => {
    if (!isObject(x) || !isObject(x.contactPerson)) throw invalid(`contacts[${i}].contactPerson is required.`);
    return cleanFields(x.contactPerson, null);
  });
  checkLimit(c.emu, me(c), cleaned.length);
  return json(200, { createdPeople: cleaned.map((p) => ({ httpStatusCode: 200, person: present(insertContact(c.emu, me(c), p), fields) })) });
}

function batchUpdate(c: Call): EmuResponse {
  needContacts(c, true);
  const body = jsonBody(c.req);
  if (!isObject(body)) throw invalid('Request body is required.');
  const mask = fieldMask(typeof body.updateMask === 'string' ? body.updateMask : null, 'updateMask', UPDATABLE_FIELDS, 'people/batchUpdateContacts');
  const read = fieldMask(typeof body.readMask === 'string' ? body.readMask : null, 'readMask', PERSON_FIELDS, 'people/batchUpdateContacts');
  if (!isObject(body.contacts) || Object.keys(body.contacts).length === 0) throw invalid('contacts is required.');
  const entries = Object.entries(body.contacts);
  if (entries.length > MAX_BATCH_WRITE) throw invalid(`Too many contacts in the request: at most ${MAX_BATCH_WRITE}.`);
  // All or nothing: validate every entry on copies first.
  const plans = entries.map(([rn, person]) => {
    if (!isObject(person)) throw invalid(`contacts["${rn}"] must be a person.`);
    const rec = findLive(c, rn);
    const copy: ContactRec = { ...rec, person: { ...rec.person } };
    applyUpdate(copy, person, mask);
    return { rec, person: copy.person };
  });
  const updateResult: JsonObject = {};
  for (const p of plans) {
    p.rec.person = p.person;
    touch(c.emu, p.rec);
    updateResult[p.rec.resourceName] = { httpStatusCode: 200, person: present(p.rec, read) };
  }
  return json(200, { updateResult });
}

function batchDelete(c: Call): EmuResponse {
  needContacts(c, true);
  const body = jsonBody(c.req);
  const names = isObject(body) ? body.resourceNames : undefined;
  if (!Array.isArray(names) || names.length === 0) throw invalid('resourceNames is required.');
  if (names.length > MAX_BATCH_DELETE) throw invalid(`Too many resourceNames: at most ${MAX_BATCH_DELETE}.`);
  const recs = names.map((rn) => findLive(c, String(rn)));
  for (const rec of recs) {
    rec.deleted = true;
    rec.person = {};
    touch(c.emu, rec);
  }
  return json(200, {});
}

const SORTS = ['LAST_MODIFIED_ASCENDING', 'LAST_MODIFIED_DESCENDING', 'FIRST_NAME_ASCENDING', 'LAST_NAME_ASCENDING'];

function sortKey(rec: ContactRec, which: 'givenName' | 'familyName'): string {
  const n = Array.isArray(rec.person.names) ? rec.person.names[0] : undefined;
  return isObject(n) && typeof n[which] === 'string' ? (n[which] as string).toLowerCase() : '\uffff';
}

function connections(c: Call): EmuResponse {
  const { emu } = c;
  const q = c.req.query;
  if (c.params[0] !== 'me') throw invalid('resourceName must be "people/me".');
  needContacts(c, false);
  const fields = readMask(c, q.get('personFields') ?? q.get('requestMask.includeField'), 'personFields', 'people.connections/list');
  const rawSize = intParam(q, 'pageSize') ?? 0;
  if (rawSize < 0 || rawSize > 1000) throw invalid('pageSize must be between 1 and 1000, inclusive.');
  const size = rawSize === 0 ? 100 : rawSize;
  const sortOrder = q.get('sortOrder') ?? 'LAST_MODIFIED_ASCENDING';
  if (!SORTS.includes(sortOrder)) throw invalid(`Invalid value at 'sort_order': "${sortOrder}"`);
  const requestSyncToken = boolParam(q, 'requestSyncToken') ?? false;
  const email = me(c);
  const epoch = emu.state.syncEpoch[email] ?? 0;
  const fp = createHash('sha256').update(JSON.stringify([...q.entries()].filter(([k]) => k !== 'pageToken').sort())).digest('base64url').slice(0, 16);
  let from: number | null = null;
  const syncRaw = q.get('syncToken');
  if (syncRaw) {
    const tok = verifyToken(emu, syncRaw);
    if (!tok || tok.k !== 'pp' || tok.a !== email || typeof tok.s !== 'number' || typeof tok.t !== 'number') throw invalid('Sync token is invalid.');
    if (tok.e !== epoch || emu.now() - tok.t > SYNC_TOKEN_TTL_MS) {
      throw new ApiError(400, 'failedPrecondition', 'Sync token is expired. Clear local cache and retry call without the sync token.', {
        status: 'FAILED_PRECONDITION',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'EXPIRED_SYNC_TOKEN', domain: 'people.googleapis.com' }],
      });
    }
    from = tok.s;
  }
  let offset = 0;
  let snapshot = emu.state.seq;
  const pageRaw = q.get('pageToken');
  if (pageRaw) {
    const tok = verifyToken(emu, pageRaw);
    if (!tok || tok.k !== 'pp-pg' || tok.f !== fp || typeof tok.o !== 'number' || typeof tok.s !== 'number') {
      throw invalid('Page token is invalid. When the pageToken is specified, all other request parameters must match the first call.');
    }
    offset = tok.o;
    snapshot = tok.s;
  }
  let recs = Object.values(contactsOf(emu, email)).filter((r) => (from === null ? !r.deleted : r.seq > from));
  if (sortOrder === 'FIRST_NAME_ASCENDING') recs.sort((a, b) => sortKey(a, 'givenName').localeCompare(sortKey(b, 'givenName')) || a.order - b.order);
  else if (sortOrder === 'LAST_NAME_ASCENDING') recs.sort((a, b) => sortKey(a, 'familyName').localeCompare(sortKey(b, 'familyName')) || a.order - b.order);
  else recs.sort((a, b) => a.order - b.order); // creation order keeps paging stable under concurrent writes
  if (sortOrder === 'LAST_MODIFIED_DESCENDING') recs = recs.reverse();
  const total = Object.values(contactsOf(emu, email)).filter((r) => !r.deleted).length;
  const page = recs.slice(offset, offset + size);
  const body: JsonObject = {};
  if (page.length) body.connections = page.map((r) => present(r, fields));
  if (offset + size < recs.length) body.nextPageToken = signToken(emu, { k: 'pp-pg', f: fp, o: offset + size, s: snapshot });
  else if (requestSyncToken) body.nextSyncToken = signToken(emu, { k: 'pp', a: email, s: snapshot, t: emu.now(), e: epoch });
  body.totalPeople = total;
  body.totalItems = total;
  return json(200, body);
}

export const peopleRoutes: Route[] = [
  { method: 'GET', pattern: /^\/v1\/people\/(me)\/connections$/, name: 'people.connections.list', api: 'people', scopes: READ, quota: 'peopleRead', handler: connections },
  { method: 'GET', pattern: /^\/v1\/people\/([^/]+)\/connections$/, name: 'people.connections.list', api: 'people', scopes: READ, quota: 'peopleRead', handler: connections },
  { method: 'GET', pattern: /^\/v1\/people:batchGet$/, name: 'people.getBatchGet', api: 'people', scopes: ME, quota: 'peopleRead', handler: batchGet },
  { method: 'POST', pattern: /^\/v1\/people:createContact$/, name: 'people.createContact', api: 'people', scopes: WRITE, quota: 'peopleWrite', handler: create },
  { method: 'POST', pattern: /^\/v1\/people:batchCreateContacts$/, name: 'people.batchCreateContacts', api: 'people', scopes: WRITE, quota: 'peopleWrite', handler: batchCreate },
  { method: 'POST', pattern: /^\/v1\/people:batchUpdateContacts$/, name: 'people.batchUpdateContacts', api: 'people', scopes: WRITE, quota: 'peopleWrite', handler: batchUpdate },
  { method: 'POST', pattern: /^\/v1\/people:batchDeleteContacts$/, name: 'people.batchDeleteContacts', api: 'people', scopes: WRITE, quota: 'peopleWrite', handler: batchDelete },
  { method: 'PATCH', pattern: /^\/v1\/people\/([^/:]+):updateContact$/, name: 'people.updateContact', api: 'people', scopes: WRITE, quota: 'peopleWrite', handler: update },
  { method: 'DELETE', pattern: /^\/v1\/people\/([^/:]+):deleteContact$/, name: 'people.deleteContact', api: 'people', scopes: WRITE, quota: 'peopleWrite', handler: remove },
  { method: 'PATCH', pattern: /^\/v1\/people\/([^/:]+):updateContactPhoto$/, name: 'people.updateContactPhoto', api: 'people', scopes: WRITE, quota: 'peopleWrite', handler: updatePhoto },
  { method: 'DELETE', pattern: /^\/v1\/people\/([^/:]+):deleteContactPhoto$/, name: 'people.deleteContactPhoto', api: 'people', scopes: WRITE, quota: 'peopleWrite', handler: deletePhoto },
  { method: 'GET', pattern: /^\/v1\/people\/([^/:]+)$/, name: 'people.get', api: 'people', scopes: ME, quota: 'peopleRead', handler: get },
];

/** Seed helper for the admin route: insert a contact for an account, validated like the API. */
export function seedContact(emu: Emulator, email: string, person: unknown): JsonObject {
  if (!isObject(person)) throw invalid('A contact must be a person object.');
  checkLimit(emu, email, 1);
  return present(insertContact(emu, email, cleanFields(person, null)), UPDATABLE_FIELDS);
}
