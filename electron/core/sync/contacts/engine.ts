/**
 * The contacts sync engine (FTC019 §3.4, BRIEF §4, issue 6): one run for one user's list.
 *
 * 1. Read the list (at most 25,000 contacts) and the links; forget links of contacts deleted in
 *    the CRM (their Google contacts stay: the seed does not sync deletions).
 * 2. Pull: People `connections.list` with the stored sync token (the comments edited in Google,
 *    contacts deleted there), else — first run, a Reset, an expired token, or a creation whose
 *    answer was lost — a full listing: every person carrying our CRM id is matched again, and a
 *    linked person the listing lacks is asked for by name (batchGet) before being called deleted.
 * 3. Plan each contact against the snapshot of the last sync: CRM → Google fields are the CRM's
 *    (an edit made in Google is overwritten, and logged); the comment is merged three-way with
 *    the biography (both changed: the newer edit wins, the other text goes to the log).
 * 4. Apply: comments into the CRM; batchCreateContacts / batchUpdateContacts of ≤ 200, one request
 *    after the other (People asks mutations of one user to be sequential); photos one by one, only
 *    where the photo's hash changed. Each answer is recorded in a short transaction of its own.
 *    A creation is announced by a placeholder link before it is sent: after a crash or a lost
 *    answer the next run (or this one) lists Google, finds the contact by its CRM id and links it
 *    instead of creating it twice.
 * 5. The sync token moves on once everything it covers is recorded; a change pulled but not
 *    merged flags its link so the next run reads that person again.
 * One failing contact (bad e-mail, bad photo, refused by Google) is reported and the rest goes
 * on. A dry run does 1–3 with reads only and reports what 4 would do.
 */
import type { people_v1 } from '@googleapis/people';
import { MAX_CONTACT_SYNC_LIST, type ContactsSyncReport, type LogText } from '../../../../shared/contract';
import { CrmError } from '../../../../shared/errors';
import type { CoreServices, Emit } from '../../context';
import type { Db } from '../../db/database';
import { describeGoogleError } from '../../google/errors';
import { getUser } from '../../users/store';
import type { Clock } from '../pacer';
import { getSyncPrefs } from '../prefs';
import { LoggedRefusal, line, lineOfFailure } from '../logText';
import { openRun, writeRunLog, type LogLevel, type RunLogLine } from '../runs';
import { detailReasonsOf, googleMessageOf, reasonOf, statusOf } from '../retry';
import { withLock } from '../userLock';
import {
  changedKeys,
  commentOfPerson,
  displayName,
  extrasOfPerson,
  FIELD_LABELS,
  invalidReason,
  markerMatches,
  markerOf,
  ownedOfCrm,
  ownedOfPerson,
  PERSON_FIELDS,
  personOf,
  sameOwned,
  UPDATE_MASK,
  type ContactRow,
  type Extras,
  type Owned,
  type Person,
} from './mapping';
import { cancelled, PeopleAccess, UnknownOutcome, type PeopleQuota } from './people';
import { BadPhoto, photoForGoogle } from './photos';
import { contactRow, dropLink, flagLink, listRows, photoBytes, PLACEHOLDER, putLink, readLinks, type Link, type ListRow, type Snapshot } from './store';

/** People: batchCreateContacts and batchUpdateContacts take at most 200 contacts, batchDeleteContacts 500, getBatchGet 200. */
export const WRITE_BATCH = 200;
export const DELETE_BATCH = 500;
const GET_BATCH = 200;
const PAGE_SIZE = 1000;

export interface ContactsEngineDeps {
  db: Db;
  services: CoreServices;
  now: () => Date;
  broadcast: Emit;
  clock?: Clock;
  baseDelayMs?: number;
  /** Requests per minute the sync allows itself (default: PEOPLE_QUOTA, under Google's 90). */
  quota?: PeopleQuota;
}

export interface ContactsRunOptions {
  userId: number;
  startedBy: number | null;
  dryRun: boolean;
  signal?: AbortSignal;
}

interface LogLine {
  level: LogLevel;
  contactId: number | null;
  googleId: string | null;
  /** Built where it is written (logText.ts's `line`): code, params and the English message. */
  text: LogText;
}

const clip = (s: string, n = 200) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** People's "sync token expired / invalid": start again with a full listing. */
function isTokenRefused(error: unknown): boolean {
  const s = statusOf(error);
  if (s === 410) return true;
  if (s !== 400) return false;
  return detailReasonsOf(error).includes('EXPIRED_SYNC_TOKEN') || /sync token/i.test(googleMessageOf(error) ?? '');
}

function isContactLimit(error: unknown): boolean {
  return detailReasonsOf(error).includes('CONTACT_LIMIT_EXCEEDED') || /maximum of \d+ contacts/i.test(googleMessageOf(error) ?? '');
}

/** Why Google refused: its own words when it gave some (the `reason` of a line), else our description. */
function googleRefusal(error: unknown): string {
  const own = googleMessageOf(error);
  return own ? `Google refused it (${statusOf(error) ?? 'error'}): ${clip(own)}` : describeGoogleError(error).message;
}

function isAbort(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'AbortError' || /aborted/i.test((error as Error | null)?.message ?? '');
}

export async function runContactsSync(deps: ContactsEngineDeps, opts: ContactsRunOptions): Promise<ContactsSyncReport> {
  return withLock(deps.services, `contacts:${opts.userId}`, () => runLocked(deps, opts));
}

async function runLocked(deps: ContactsEngineDeps, opts: ContactsRunOptions): Promise<ContactsSyncReport> {
  const { db } = deps;
  const startedAt = deps.now().toISOString();
  const report: ContactsSyncReport = {
    runId: null,
    userId: opts.userId,
    dryRun: opts.dryRun,
    status: 'ok',
    startedAt,
    finishedAt: startedAt,
    listed: 0,
    crm: { updated: 0 },
    google: { created: 0, updated: 0, deleted: 0, photos: 0 },
    skipped: [],
    decisions: [],
    errors: [],
    requests: 0,
    changes: [],
  };
  const log: LogLine[] = [];
  if (!opts.dryRun) {
    // Runs of this user a crash left 'running' are closed as failed first (runs.ts).
    report.runId = openRun(db, deps.services, { userId: opts.userId, startedBy: opts.startedBy, scope: 'contacts', trigger: 'manual', startedAt });
  }
  let g: PeopleAccess | null = null;
  const run = new Run(deps, opts, report, log);
  try {
    run.setup();
    g = await PeopleAccess.open(db, deps.services, opts.userId, { clock: deps.clock, baseDelayMs: deps.baseDelayMs, signal: opts.signal, quota: deps.quota });
    await run.run(g);
    report.status = report.errors.length > 0 ? 'partial' : 'ok';
  } catch (error) {
    const wasCancelled = opts.signal?.aborted ?? false;
    report.status = wasCancelled ? 'cancelled' : 'failed';
    const text = wasCancelled
      ? line('run.cancelled', { brief: 1 })
      : lineOfFailure(error instanceof UnknownOutcome ? error.cause : error);
    report.errors.push({ contactId: null, googleId: null, ...text });
    log.push({ level: 'error', contactId: null, googleId: null, text });
    deps.services.logger.log('warn', 'contacts sync failed', { userId: opts.userId, message: text.message });
  }
  if (g) {
    report.requests = g.requests;
    g.keepToken();
  }
  report.finishedAt = deps.now().toISOString();
  if (report.runId !== null) {
    const runId = report.runId;
    const summary = {
      listed: report.listed,
      crm: report.crm,
      google: report.google,
      skipped: report.skipped,
      conflicts: report.decisions.filter((d) => d.kind === 'conflict').length,
      errors: report.errors.length,
      requests: report.requests,
    };
    const at = report.finishedAt;
    const counts = line('contacts.run', {
      status: report.status,
      listed: report.listed,
      crmUpdated: report.crm.updated,
      googleCreated: report.google.created,
      googleUpdated: report.google.updated,
      googleDeleted: report.google.deleted,
      photos: report.google.photos,
      requests: report.requests,
    });
    db.transaction(() => {
      db.prepare('UPDATE sync_runs SET status = ?, finished_at = ?, summary = ? WHERE id = ?').run(report.status, at, JSON.stringify(summary), runId);
      const lines: RunLogLine[] = log.map((l) => ({ level: l.level, entity: l.contactId === null && l.googleId === null ? 'run' : 'contact', crmId: l.contactId, googleId: l.googleId, text: l.text }));
      for (const s of report.skipped) lines.push({ level: 'info', entity: 'run', crmId: null, googleId: null, text: line('run.skipped', { count: s.count, reason: s.reason }) });
      lines.push({ level: report.status === 'ok' ? 'info' : report.status === 'partial' ? 'warning' : 'error', entity: 'run', crmId: null, googleId: null, text: counts });
      writeRunLog(db, runId, at, lines);
      if (report.status === 'ok' || report.status === 'partial') {
        getSyncPrefs(db, opts.userId, at);
        db.prepare('UPDATE sync_prefs SET contacts_last_sync_at = ? WHERE user_id = ?').run(at, opts.userId);
      }
    })();
  }
  deps.broadcast('onContactsSyncProgress', { userId: opts.userId, phase: 'done', done: 1, total: 1 });
  deps.broadcast('onContactsSyncFinished', { userId: opts.userId, runId: report.runId, status: report.status });
  if (run.crmChanged.length > 0) deps.broadcast('onContactsChanged', { ids: run.crmChanged });
  return report;
}

/** One contact's plan against Google. */
interface Pair {
  row: ContactRow;
  /** The existing link (null: a person found by its CRM id, not linked yet). */
  link: Link | null;
  googleId: string;
  /** Google's person as read in this run (null: unchanged since the last sync). */
  person: Person | null;
  /** The snapshot to merge against (null: none — a relink). */
  base: Snapshot | null;
  desired: Owned;
  /** The comment both sides get. */
  merged: string;
  toCrm: boolean;
  extras: Extras;
  etag: string | null;
}

interface Create {
  row: ContactRow;
  desired: Owned;
  recreated: boolean;
}

type PhotoOp = { contactId: number; op: 'set' | 'delete' };

class Run {
  private readonly db: Db;
  private readonly userId: number;
  private readonly at: string;
  private login = '';
  private g!: PeopleAccess;
  private rows = new Map<number, ListRow>();
  private readonly links = new Map<number, Link>();
  private readonly byGoogle = new Map<string, Link>();
  /** Linked persons that changed in Google (or were read again), by contact id. */
  private readonly pulled = new Map<number, Person>();
  private readonly deleted = new Set<number>();
  /** Persons carrying the CRM id of a list contact that has no link (yet). */
  private readonly relinks = new Map<number, Person>();
  private readonly skipped = new Map<'not-visible' | 'deleted-in-crm', number>();
  private readonly failed = new Set<number>();
  readonly crmChanged: number[] = [];
  /** Google said the account holds all the contacts it can: no more creations this run. */
  private accountFull = false;
  private progressDone = 0;
  private progressTotal = 0;
  /** The newest outbox entry of each listed contact when the run started, and the newest entry of all (outbox.ts). */
  private readonly outboxMax = new Map<number, number>();
  private outboxTop = 0;
  /** Contacts whose photo is still to be sent: their outbox entries wait for it. */
  private readonly photoPending = new Set<number>();

  constructor(
    private readonly deps: ContactsEngineDeps,
    private readonly opts: ContactsRunOptions,
    private readonly report: ContactsSyncReport,
    private readonly log: LogLine[],
  ) {
    this.db = deps.db;
    this.userId = opts.userId;
    this.at = deps.now().toISOString();
  }

  private get dry(): boolean {
    return this.opts.dryRun;
  }

  private checkpoint(): void {
    if (this.opts.signal?.aborted) throw cancelled();
  }

  private fail(contactId: number | null, googleId: string | null, text: LogText): void {
    if (contactId !== null) this.failed.add(contactId);
    this.report.errors.push({ contactId, googleId, ...text });
    this.log.push({ level: 'error', contactId, googleId, text });
  }

  private decide(kind: ContactsSyncReport['decisions'][number]['kind'], contactId: number, googleId: string | null, text: LogText): void {
    this.report.decisions.push({ kind, contactId, googleId, ...text });
    this.log.push({ level: kind === 'conflict' || kind === 'overwritten' ? 'warning' : 'info', contactId, googleId, text });
  }

  private info(contactId: number | null, googleId: string | null, text: LogText): void {
    this.log.push({ level: 'info', contactId, googleId, text });
  }

  private progress(phase: 'pull' | 'push' | 'photos', done: number, total: number): void {
    this.deps.broadcast('onContactsSyncProgress', { userId: this.userId, phase, done, total });
  }

  private pushed(): void {
    this.progress('push', ++this.progressDone, this.progressTotal);
  }

  private opt(): { signal?: AbortSignal } {
    return this.opts.signal ? { signal: this.opts.signal } : {};
  }

  /** A Google call; an abort of the run while it was on the wire is a cancellation. */
  private async call<T>(kind: 'read' | 'write', fn: () => Promise<{ data: T }>, idempotent = true): Promise<T> {
    try {
      return kind === 'read' ? await this.g.read(fn) : await this.g.write(fn, idempotent);
    } catch (error) {
      if (this.opts.signal?.aborted && (isAbort(error) || (error instanceof UnknownOutcome && isAbort(error.cause)))) throw cancelled();
      throw error;
    }
  }

  /**
   * Consumes the outbox entries of a contact read at the start of the run (later ones stay for the
   * next run). Called inside the transaction that records what was pushed: the contacts sync finds
   * its work by comparing each listed contact with its link's snapshot, not by reading the outbox,
   * so the entries are only drained here, where the change they record has reached Google.
   */
  private consumeOutbox(contactId: number): void {
    const max = this.outboxMax.get(contactId);
    if (max === undefined) return;
    this.db.prepare("DELETE FROM outbox WHERE entity = 'contact' AND entity_id = ? AND id <= ?").run(contactId, max);
    this.outboxMax.delete(contactId);
  }

  private isPlaceholder(l: Link | undefined): boolean {
    return l !== undefined && (l.googleId.startsWith(PLACEHOLDER) || l.snap.n === 1);
  }

  /** The contact as its log lines name it (cut at 80 characters). */
  private name(row: ContactRow): string {
    return clip(displayName(row) || `contact ${row.id}`, 80);
  }

  // ---------------------------------------------------------------- 1. setup

  setup(): void {
    this.login = getUser(this.db, this.userId).login;
    // The outbox before the list: an edit made after this read has a newer entry, which this run
    // never consumes (the next run sees the edit anyway: it compares each contact with its snapshot).
    this.outboxTop = (this.db.prepare("SELECT coalesce(max(id), 0) FROM outbox WHERE entity = 'contact'").pluck(true).get() as number) ?? 0;
    for (const [id, max] of this.db
      .prepare("SELECT entity_id, max(id) FROM outbox WHERE entity = 'contact' AND entity_id IN (SELECT contact_id FROM contact_sync_list WHERE user_id = ?) GROUP BY entity_id")
      .raw(true)
      .all(this.userId) as [number, number][]) {
      this.outboxMax.set(id, max);
    }
    const rows = listRows(this.db, this.userId);
    this.report.listed = rows.length;
    if (rows.length > MAX_CONTACT_SYNC_LIST) {
      throw new LoggedRefusal(
        'CONFLICT',
        line('contacts.listTooLong', { login: this.login, count: rows.length, max: MAX_CONTACT_SYNC_LIST, over: rows.length - MAX_CONTACT_SYNC_LIST }),
      );
    }
    this.rows = new Map(rows.map((r) => [r.id, r]));
    for (const link of readLinks(this.db, this.userId)) {
      if (!this.rows.has(link.contactId)) {
        // Off the list. Deleted in the CRM: forget the link, leave Google alone (the seed's rule).
        if (this.isPlaceholder(link) || !contactRow(this.db, link.contactId)) {
          if (!this.dry) this.db.transaction(() => dropLink(this.db, this.userId, link.contactId))();
          if (!this.isPlaceholder(link)) {
            this.skipped.set('deleted-in-crm', (this.skipped.get('deleted-in-crm') ?? 0) + 1);
            this.info(link.contactId, link.googleId, line('contacts.deletedInCrm', { contactId: link.contactId }));
          }
        } else if (!link.snap.d && !this.dry) {
          this.db.transaction(() => flagLink(this.db, this.userId, link.contactId, 'd'))();
        }
        continue;
      }
      this.links.set(link.contactId, link);
      if (!this.isPlaceholder(link)) this.byGoogle.set(link.googleId, link);
    }
  }

  // ---------------------------------------------------------------- 2. pull

  private async list(syncToken: string | null): Promise<{ people: Person[]; nextSyncToken: string | null }> {
    const people: Person[] = [];
    let pageToken: string | undefined;
    let nextSyncToken: string | null = null;
    let pages = 0;
    do {
      const page: people_v1.Schema$ListConnectionsResponse = await this.call('read', () =>
        this.g.ppl.people.connections.list(
          { resourceName: 'people/me', pageSize: PAGE_SIZE, personFields: PERSON_FIELDS, requestSyncToken: true, ...(syncToken ? { syncToken } : {}), pageToken },
          this.opt(),
        ),
      );
      people.push(...(page.connections ?? []));
      pageToken = page.nextPageToken ?? undefined;
      nextSyncToken = page.nextSyncToken ?? nextSyncToken;
      pages++;
      const total = page.totalPeople ? Math.max(pages, Math.ceil(page.totalPeople / PAGE_SIZE)) : pageToken ? pages + 1 : pages;
      this.progress('pull', pages, syncToken ? (pageToken ? pages + 1 : pages) : total);
    } while (pageToken);
    return { people, nextSyncToken };
  }

  private async pull(): Promise<{ people: Person[]; nextSyncToken: string | null; full: boolean }> {
    const stored = this.db.prepare("SELECT token FROM sync_tokens WHERE user_id = ? AND kind = 'contacts' AND scope = ''").get(this.userId) as { token: string } | undefined;
    // A creation whose answer was never recorded: only a full listing finds it by its CRM id.
    const placeholders = [...this.links.values()].some((l) => this.isPlaceholder(l));
    if (stored && !placeholders) {
      try {
        return { ...(await this.list(stored.token)), full: false };
      } catch (error) {
        if (!isTokenRefused(error)) throw error;
        this.log.push({ level: 'warning', contactId: null, googleId: null, text: line('contacts.tokenRefused', {}) });
      }
    }
    return { ...(await this.list(null)), full: true };
  }

  /** Reads persons by name, 200 at a time: the found ones, and the names Google does not know. */
  private async getMany(names: string[]): Promise<{ found: Map<string, Person>; gone: Set<string> }> {
    const found = new Map<string, Person>();
    const gone = new Set<string>();
    for (let i = 0; i < names.length; i += GET_BATCH) {
      this.checkpoint();
      const chunk = names.slice(i, i + GET_BATCH);
      const res: people_v1.Schema$GetPeopleResponse = await this.call('read', () => this.g.ppl.people.getBatchGet({ resourceNames: chunk, personFields: PERSON_FIELDS }, this.opt()));
      for (const r of res.responses ?? []) {
        const rn = r.requestedResourceName ?? r.person?.resourceName ?? '';
        const ok = (r.status?.code ?? 0) === 0 && (r.httpStatusCode ?? 200) === 200 && r.person;
        if (ok && r.person) found.set(rn, r.person);
        else if ((r.httpStatusCode ?? 0) === 404 || r.status?.code === 5) gone.add(rn);
      }
    }
    return { found, gone };
  }

  private classify(people: Person[], full: boolean): string[] {
    const seen = new Set<string>();
    for (const p of people) {
      const rn = p.resourceName;
      if (!rn) continue;
      seen.add(rn);
      const link = this.byGoogle.get(rn);
      if (p.metadata?.deleted) {
        if (link) this.deleted.add(link.contactId);
        continue;
      }
      if (link) {
        if (p.etag !== link.etag || link.snap.r || link.snap.d) this.pulled.set(link.contactId, p);
        continue;
      }
      const m = markerOf(p);
      const row = m ? this.rows.get(m.id) : undefined;
      if (!m || !row || !markerMatches(m, row)) continue;
      const current = this.links.get(m.id);
      if (current && !this.isPlaceholder(current) && !this.deleted.has(m.id)) continue;
      if (this.relinks.has(m.id)) {
        this.log.push({ level: 'warning', contactId: m.id, googleId: rn, text: line('contacts.twoCarryId', { name: this.name(row), kept: String(this.relinks.get(m.id)!.resourceName), other: rn }) });
        continue;
      }
      this.relinks.set(m.id, p);
    }
    // Linked persons a full listing did not return, and links flagged to be read again.
    const ask: string[] = [];
    for (const link of this.links.values()) {
      if (this.isPlaceholder(link) || this.deleted.has(link.contactId) || this.pulled.has(link.contactId)) continue;
      if ((full && !seen.has(link.googleId)) || link.snap.r || link.snap.d) ask.push(link.googleId);
    }
    return ask;
  }

  // ---------------------------------------------------------------- 3. plan

  private mergeComment(row: ContactRow, base: Snapshot | null, person: Person | null, gComment: string): { merged: string; conflict: LogText | null } {
    const crm = row.comment;
    const crmT = Date.parse(row.updated_at) || 0;
    const gT = Date.parse(person?.metadata?.sources?.find((s) => s.type === 'CONTACT')?.updateTime ?? person?.metadata?.sources?.[0]?.updateTime ?? '') || 0;
    const newest = (): { merged: string; conflict: LogText } => {
      const googleWins = gT > crmT;
      const lost = googleWins ? crm : gComment;
      return {
        merged: googleWins ? gComment : crm,
        conflict: line('contacts.conflict', { name: this.name(row), winner: googleWins ? 'google' : 'crm', lost: clip(lost, 80) }),
      };
    };
    if (crm === gComment) return { merged: crm, conflict: null };
    if (base === null) {
      // No common base (a relink): keep what is there; both filled and different is a conflict.
      if (!gComment) return { merged: crm, conflict: null };
      if (!crm) return { merged: gComment, conflict: null };
      return newest();
    }
    const crmChanged = crm !== base.c;
    const googleChanged = gComment !== base.gc;
    if (!googleChanged) return { merged: crm, conflict: null };
    if (!crmChanged) return { merged: gComment, conflict: null };
    return newest();
  }

  /** The plan of a list contact that exists in Google (linked, or found by its CRM id). */
  private pairOf(row: ContactRow, link: Link | null, googleId: string, person: Person | null, base: Snapshot | null, desired: Owned, quiet = false): { pair: Pair; needGoogle: boolean } {
    const gOwned = person ? ownedOfPerson(person) : (base?.g ?? base?.f ?? desired);
    const gComment = person ? commentOfPerson(person) : (base?.gc ?? '');
    const { merged, conflict } = this.mergeComment(row, base, person, gComment);
    if (conflict && !quiet) this.decide('conflict', row.id, googleId, conflict);
    // CRM → Google fields edited in Google: set back to the CRM's, and said so.
    if (person && base?.g && !quiet) {
      const edited = changedKeys(gOwned, base.g).filter((k) => JSON.stringify(gOwned[k]) !== JSON.stringify(desired[k]));
      if (edited.length > 0) {
        this.decide(
          'overwritten',
          row.id,
          googleId,
          line('contacts.overwritten', { name: this.name(row), fields: edited.map((k) => FIELD_LABELS[k]).join(', '), values: edited.map((k) => JSON.stringify(gOwned[k])).join(', ') }),
        );
      }
    }
    const ownedOk = person ? (base?.g && base.f ? sameOwned(gOwned, base.g) && sameOwned(desired, base.f) : sameOwned(gOwned, desired)) : base?.f ? sameOwned(desired, base.f) : false;
    const m = person ? markerOf(person) : null;
    const markerOk = person ? markerMatches(m, row) && m?.stamp !== null : true;
    const needGoogle = !ownedOk || merged !== gComment || !markerOk;
    const extras = person ? extrasOfPerson(person) : (base?.x ?? { emailAddresses: [], phoneNumbers: [], addresses: [] });
    return { pair: { row, link, googleId, person, base, desired, merged, toCrm: merged !== row.comment, extras, etag: person?.etag ?? link?.etag ?? null }, needGoogle };
  }

  // ---------------------------------------------------------------- the run

  async run(g: PeopleAccess): Promise<void> {
    this.g = g;
    this.checkpoint();
    const { people, nextSyncToken, full } = await this.pull();
    this.checkpoint();
    const ask = this.classify(people, full);
    if (ask.length > 0) {
      const { found, gone } = await this.getMany(ask);
      for (const rn of ask) {
        const link = this.byGoogle.get(rn)!;
        const p = found.get(rn);
        if (p) {
          if (p.etag !== link.etag || link.snap.r || link.snap.d) this.pulled.set(link.contactId, p);
        } else if (gone.has(rn)) this.deleted.add(link.contactId);
        else this.fail(link.contactId, rn, line('contacts.existsUnknown', {}));
      }
    }
    this.checkpoint();

    const crmOnly: Pair[] = [];
    const updates: Pair[] = [];
    const creates: Create[] = [];
    const photos: PhotoOp[] = [];
    /** Persons read this run that a failure may leave unmerged: flagged to be read again. */
    const read = new Set<number>([...this.pulled.keys(), ...this.relinks.keys()]);
    /** Contacts with nothing to send (in agreement, or not visible to the list's owner): their outbox entries are done with. */
    const settled: number[] = [];
    for (const row of this.rows.values()) {
      if (this.failed.has(row.id)) continue;
      if (!row.visible) {
        this.skipped.set('not-visible', (this.skipped.get('not-visible') ?? 0) + 1);
        settled.push(row.id);
        continue;
      }
      const desired = ownedOfCrm(row);
      const link = this.links.get(row.id);
      const real = link !== undefined && !this.isPlaceholder(link);
      const relink = this.relinks.get(row.id);
      const bad = invalidReason(desired);
      if (real && !this.deleted.has(row.id)) {
        const base = link.snap.f === null ? null : link.snap;
        const { pair, needGoogle } = this.pairOf(row, link, link.googleId, this.pulled.get(row.id) ?? null, base, desired);
        if (bad && needGoogle) {
          this.fail(row.id, link.googleId, line('contacts.notSent', { name: this.name(row), reason: bad }));
          continue;
        }
        if (needGoogle) updates.push(pair);
        else if (pair.toCrm || pair.person) crmOnly.push(pair);
        const photo = this.photoOp(row, base);
        if (photo) photos.push(photo);
        else if (!needGoogle && !pair.toCrm && !pair.person) settled.push(row.id);
      } else if (relink?.resourceName) {
        const dormant = link?.snap.d ? link.snap : null;
        const { pair, needGoogle } = this.pairOf(row, null, relink.resourceName, relink, dormant, desired);
        this.decide('relinked', row.id, relink.resourceName, line('contacts.relinked', { name: this.name(row) }));
        if (bad && needGoogle) {
          this.fail(row.id, relink.resourceName, line('contacts.notSent', { name: this.name(row), reason: bad }));
          if (!this.dry) this.db.transaction(() => this.record(pair, relink, false, true))();
          continue;
        }
        if (needGoogle) updates.push(pair);
        else crmOnly.push(pair);
        const photo = this.photoOp(row, dormant);
        if (photo) photos.push(photo);
      } else {
        if (bad) {
          this.fail(row.id, null, line('contacts.notSent', { name: this.name(row), reason: bad }));
          continue;
        }
        creates.push({ row, desired, recreated: real && this.deleted.has(row.id) });
        if (row.photo_sha256) photos.push({ contactId: row.id, op: 'set' });
      }
    }

    if (this.dry) {
      // The counts, and the contacts behind them (the wizard's preview lists them).
      const label = (row: ContactRow) => displayName(row) || `contact ${row.id}`;
      const toCrm = [...crmOnly, ...updates].filter((p) => p.toCrm);
      this.report.crm.updated = toCrm.length;
      this.report.google.created = creates.length;
      this.report.google.updated = updates.length;
      this.report.google.photos = photos.length;
      const changes = this.report.changes;
      for (const p of toCrm) changes.push({ side: 'crm', op: 'update', contactId: p.row.id, googleId: p.googleId, name: label(p.row) });
      for (const c of creates) changes.push({ side: 'google', op: 'create', contactId: c.row.id, googleId: null, name: label(c.row) });
      for (const p of updates) changes.push({ side: 'google', op: 'update', contactId: p.row.id, googleId: p.googleId, name: label(p.row) });
      for (const o of photos) {
        const row = this.rows.get(o.contactId);
        if (row) changes.push({ side: 'google', op: 'photo', contactId: o.contactId, googleId: this.links.get(o.contactId)?.googleId ?? null, name: label(row) });
      }
      this.finishSkipped();
      return;
    }

    for (const o of photos) this.photoPending.add(o.contactId);
    if (settled.length > 0) this.db.transaction(() => settled.forEach((id) => this.consumeOutbox(id)))();
    // Persons found by their CRM id are linked at once (to be read again if what follows fails):
    // a later run must not take them for missing and create them twice.
    for (const p of updates) if (p.link === null && p.person) this.db.transaction(() => this.record(p, p.person, false, true))();
    // The CRM side first where Google needs nothing.
    for (const p of crmOnly) {
      this.checkpoint();
      this.db.transaction(() => this.record(p, p.person, false))();
    }
    this.progressTotal = creates.length + updates.length;
    if (this.progressTotal > 0) this.progress('push', 0, this.progressTotal);
    await this.createAll(creates);
    const again = await this.updateAll(updates);
    if (again.length > 0) {
      // Deleted in Google since the pull: created again, with its photo.
      for (const c of again) if (c.row.photo_sha256) this.photoPending.add(c.row.id);
      await this.createAll(again);
      for (const c of again) if (c.row.photo_sha256 && !photos.some((o) => o.contactId === c.row.id)) photos.push({ contactId: c.row.id, op: 'set' });
      for (let i = photos.length - 1; i >= 0; i--) if (photos[i]!.op === 'delete' && again.some((c) => c.row.id === photos[i]!.contactId)) photos.splice(i, 1);
    }
    await this.applyPhotos(photos);

    // Changes read from Google that a failure left unmerged: read again next time.
    for (const id of read) if (this.failed.has(id) && this.links.has(id)) this.db.transaction(() => flagLink(this.db, this.userId, id, 'r'))();
    this.checkpoint();
    if (nextSyncToken) {
      this.db
        .prepare(
          `INSERT INTO sync_tokens (user_id, kind, scope, token, updated_at) VALUES (?, 'contacts', '', ?, ?)
           ON CONFLICT (user_id, kind, scope) DO UPDATE SET token = excluded.token, updated_at = excluded.updated_at`,
        )
        .run(this.userId, nextSyncToken, this.at);
    }
    // Entries of contacts on nobody's list (never on one, removed since, deleted in the CRM) have no
    // sync to wait for: pruned, up to what the run saw when it started. A contact put on a list
    // later is compared with its (missing or flagged) link anyway.
    this.db
      .prepare("DELETE FROM outbox WHERE entity = 'contact' AND id <= ? AND NOT EXISTS (SELECT 1 FROM contact_sync_list l WHERE l.contact_id = outbox.entity_id)")
      .run(this.outboxTop);
    this.finishSkipped();
  }

  private photoOp(row: ContactRow, base: Snapshot | null): PhotoOp | null {
    const before = base?.p ?? null;
    if (row.photo_sha256 === before) return null;
    if (row.photo_sha256) return { contactId: row.id, op: 'set' };
    return base ? { contactId: row.id, op: 'delete' } : null;
  }

  private finishSkipped(): void {
    this.report.skipped = [...this.skipped].map(([reason, count]) => ({ reason, count }));
  }

  // ---------------------------------------------------------------- 4. recording

  /**
   * Records a contact both sides now agree on: the merged comment into the CRM (only if the
   * CRM's comment is still the one read — a user typing meanwhile wins, and the next run merges
   * again), and the link with its new snapshot. Run inside a transaction.
   */
  private record(p: Pair, person: Person | null, written: boolean, unmerged = false): void {
    let crmComment = p.row.comment;
    if (p.toCrm && !unmerged) {
      const changed = this.db
        .prepare('UPDATE contacts SET comment = ?, updated_at = ?, version = version + 1 WHERE id = ? AND comment = ?')
        .run(p.merged, this.at, p.row.id, p.row.comment).changes;
      if (changed > 0) {
        crmComment = p.merged;
        this.report.crm.updated++;
        this.crmChanged.push(p.row.id);
        this.info(p.row.id, p.googleId, line('contacts.commentFromGoogle', { name: this.name(p.row) }));
      }
    }
    const from = person ?? null;
    const snap: Snapshot = unmerged
      ? { f: null, g: null, c: '', gc: '', p: null, x: p.extras, r: 1 }
      : {
          f: written || !p.base?.f ? p.desired : p.base.f,
          g: from ? ownedOfPerson(from) : (p.base?.g ?? p.desired),
          c: crmComment,
          gc: from ? commentOfPerson(from) : (p.base?.gc ?? p.merged),
          p: p.base?.p ?? null,
          x: from ? extrasOfPerson(from) : p.extras,
        };
    putLink(this.db, this.userId, p.row.id, p.googleId, from?.etag ?? p.etag, snap, this.at);
    if (!unmerged && !this.photoPending.has(p.row.id)) this.consumeOutbox(p.row.id);
  }

  private recordCreated(row: ContactRow, desired: Owned, person: Person): void {
    putLink(
      this.db,
      this.userId,
      row.id,
      person.resourceName!,
      person.etag ?? null,
      { f: desired, g: ownedOfPerson(person), c: row.comment, gc: commentOfPerson(person), p: null, x: extrasOfPerson(person) },
      this.at,
    );
    if (!this.photoPending.has(row.id)) this.consumeOutbox(row.id);
  }

  // ---------------------------------------------------------------- 4. creations

  private async createAll(creates: Create[]): Promise<void> {
    for (let i = 0; i < creates.length; i += WRITE_BATCH) {
      this.checkpoint();
      await this.createChunk(creates.slice(i, i + WRITE_BATCH), 0);
    }
  }

  private placeholders(chunk: Create[], on: boolean): void {
    this.db.transaction(() => {
      for (const c of chunk) {
        if (on) putLink(this.db, this.userId, c.row.id, `${PLACEHOLDER}${c.row.id}`, null, { f: null, g: null, c: '', gc: '', p: null, x: { emailAddresses: [], phoneNumbers: [], addresses: [] }, n: 1 }, this.at);
        else if (this.isPlaceholderInDb(c.row.id)) dropLink(this.db, this.userId, c.row.id);
      }
    })();
  }

  private isPlaceholderInDb(contactId: number): boolean {
    const r = this.db.prepare("SELECT google_id FROM sync_links WHERE user_id = ? AND kind = 'contact' AND crm_id = ?").get(this.userId, contactId) as { google_id: string } | undefined;
    return r !== undefined && r.google_id.startsWith(PLACEHOLDER);
  }

  private created(c: Create, person: Person): void {
    this.db.transaction(() => this.recordCreated(c.row, c.desired, person))();
    this.report.google.created++;
    if (c.recreated) this.decide('recreated', c.row.id, person.resourceName ?? null, line('contacts.recreated', { name: this.name(c.row) }));
    this.pushed();
  }

  private async createChunk(chunk: Create[], recoveries: number): Promise<void> {
    if (this.accountFull) {
      for (const c of chunk) this.fail(c.row.id, null, line('contacts.accountFull', { name: this.name(c.row) }));
      return;
    }
    this.placeholders(chunk, true);
    let res: people_v1.Schema$BatchCreateContactsResponse;
    try {
      res = await this.call(
        'write',
        () =>
          this.g.ppl.people.batchCreateContacts(
            { requestBody: { readMask: PERSON_FIELDS, contacts: chunk.map((c) => ({ contactPerson: personOf(c.desired, c.row.comment, { emailAddresses: [], phoneNumbers: [], addresses: [] }, c.row) })) } },
            this.opt(),
          ),
        false,
      );
    } catch (error) {
      if (error instanceof UnknownOutcome) {
        // Google may have created them: find them by their CRM id before creating again.
        if (recoveries >= 4) {
          for (const c of chunk) this.fail(c.row.id, null, line('contacts.createUnknown', { name: this.name(c.row) }));
          return;
        }
        const rest = await this.recover(chunk);
        if (rest.length > 0) await this.createChunk(rest, recoveries + 1);
        return;
      }
      this.placeholders(chunk, false);
      const status = statusOf(error);
      if (status !== null && status >= 400 && status < 500 && status !== 429) {
        if (chunk.length === 1 && isContactLimit(error)) this.accountFull = true;
        if (this.accountFull) {
          for (const c of chunk) this.fail(c.row.id, null, line('contacts.accountFull', { name: this.name(c.row) }));
          return;
        }
        if (chunk.length > 1) {
          // Google refuses a whole batch for one bad contact: halve it until the bad one is alone.
          const half = Math.ceil(chunk.length / 2);
          await this.createChunk(chunk.slice(0, half), recoveries);
          await this.createChunk(chunk.slice(half), recoveries);
          return;
        }
        this.fail(chunk[0]!.row.id, null, line('contacts.notCreated', { name: this.name(chunk[0]!.row), reason: googleRefusal(error) }));
        return;
      }
      throw error;
    }
    const byId = new Map<number, Person>();
    for (const r of res.createdPeople ?? []) {
      const m = r.person ? markerOf(r.person) : null;
      if (m && r.person?.resourceName && (r.status?.code ?? 0) === 0) byId.set(m.id, r.person);
    }
    for (const c of chunk) {
      const person = byId.get(c.row.id);
      if (person) this.created(c, person);
      else {
        this.db.transaction(() => dropLink(this.db, this.userId, c.row.id))();
        const r = (res.createdPeople ?? []).find((x) => !x.person && x.status?.message);
        this.fail(c.row.id, null, line('contacts.notCreated', { name: this.name(c.row), reason: `Google answered ${r?.status?.message ? clip(r.status.message) : 'without it'}` }));
      }
    }
  }

  /** After a creation Google may or may not have made: link what it made, return the rest. */
  private async recover(chunk: Create[]): Promise<Create[]> {
    const { people } = await this.list(null);
    const found = new Map<number, Person>();
    for (const p of people) {
      if (p.metadata?.deleted || !p.resourceName) continue;
      const m = markerOf(p);
      const c = m ? chunk.find((x) => markerMatches(m, x.row)) : undefined;
      if (c && !found.has(c.row.id)) found.set(c.row.id, p);
    }
    const rest: Create[] = [];
    for (const c of chunk) {
      const p = found.get(c.row.id);
      if (p) {
        this.created(c, p);
        this.info(c.row.id, p.resourceName ?? null, line('contacts.answerLost', { name: this.name(c.row) }));
      } else rest.push(c);
    }
    return rest;
  }

  // ---------------------------------------------------------------- 4. updates

  /** Returns the contacts found deleted in Google meanwhile, to be created again. */
  private async updateAll(updates: Pair[]): Promise<Create[]> {
    const again: Create[] = [];
    for (let i = 0; i < updates.length; i += WRITE_BATCH) {
      this.checkpoint();
      await this.updateChunk(updates.slice(i, i + WRITE_BATCH), again);
    }
    return again;
  }

  private bodyOf(p: Pair, etag: string | null): Person {
    return { ...personOf(p.desired, p.merged, p.extras, p.row), ...(etag ? { etag } : {}) };
  }

  private updated(p: Pair, person: Person): void {
    const firstLink = p.link === null;
    this.db.transaction(() => this.record(p, person, true))();
    this.report.google.updated++;
    if (!firstLink) this.info(p.row.id, p.googleId, line('contacts.updatedInGoogle', { name: this.name(p.row) }));
    this.pushed();
  }

  private async updateChunk(chunk: Pair[], again: Create[]): Promise<void> {
    let res: people_v1.Schema$BatchUpdateContactsResponse;
    try {
      const contacts: Record<string, Person> = {};
      for (const p of chunk) contacts[p.googleId] = this.bodyOf(p, p.etag);
      res = await this.call('write', () => this.g.ppl.people.batchUpdateContacts({ requestBody: { contacts, updateMask: UPDATE_MASK, readMask: PERSON_FIELDS } }, this.opt()));
    } catch (error) {
      const status = statusOf(error);
      if (status === null || status >= 500 || status === 429) throw error;
      if (chunk.length > 1) {
        // One stale etag or one deleted contact fails the whole batch: halve it.
        const half = Math.ceil(chunk.length / 2);
        await this.updateChunk(chunk.slice(0, half), again);
        await this.updateChunk(chunk.slice(half), again);
        return;
      }
      await this.updateOne(chunk[0]!, error, again);
      return;
    }
    for (const p of chunk) {
      const r = res.updateResult?.[p.googleId];
      if (r?.person && (r.status?.code ?? 0) === 0) this.updated(p, r.person);
      else this.fail(p.row.id, p.googleId, line('contacts.notUpdated', { name: this.name(p.row), reason: r?.status?.message ? clip(r.status.message) : 'no answer for it' }));
    }
  }

  private async updateOne(p: Pair, error: unknown, again: Create[]): Promise<void> {
    const status = statusOf(error);
    const reason = reasonOf(error);
    if (status === 404) {
      again.push({ row: p.row, desired: p.desired, recreated: true });
      return;
    }
    if (!(status === 400 && (reason === 'failedPrecondition' || /etag/i.test(googleMessageOf(error) ?? '')))) {
      this.fail(p.row.id, p.googleId, line('contacts.notUpdated', { name: this.name(p.row), reason: googleRefusal(error) }));
      return;
    }
    // Changed in Google meanwhile — or our own update, applied but its answer lost and sent
    // again with the etag it made stale. Read it, merge again, send once more.
    for (let attempt = 1; ; attempt++) {
      const { found, gone } = await this.getMany([p.googleId]);
      const fresh = found.get(p.googleId);
      if (!fresh) {
        if (gone.has(p.googleId)) again.push({ row: p.row, desired: p.desired, recreated: true });
        else this.fail(p.row.id, p.googleId, line('contacts.changedDuringSync', { name: this.name(p.row) }));
        return;
      }
      const { pair, needGoogle } = this.pairOf(p.row, p.link, p.googleId, fresh, p.base, p.desired, true);
      if (!needGoogle) {
        this.updated(pair, fresh);
        return;
      }
      try {
        const done: Person = await this.call('write', () =>
          this.g.ppl.people.updateContact(
            { resourceName: p.googleId, updatePersonFields: UPDATE_MASK, personFields: PERSON_FIELDS, requestBody: this.bodyOf(pair, fresh.etag ?? null) },
            this.opt(),
          ),
        );
        this.updated(pair, done);
        return;
      } catch (e) {
        if (statusOf(e) === 404) {
          again.push({ row: p.row, desired: p.desired, recreated: true });
          return;
        }
        if (statusOf(e) !== 400 || reasonOf(e) !== 'failedPrecondition' || attempt >= 3) {
          this.fail(p.row.id, p.googleId, line('contacts.notUpdated', { name: this.name(p.row), reason: googleRefusal(e) }));
          return;
        }
      }
    }
  }

  // ---------------------------------------------------------------- 4. photos

  private async applyPhotos(ops: PhotoOp[]): Promise<void> {
    const todo = ops.filter((o) => !this.failed.has(o.contactId));
    if (todo.length === 0) return;
    this.progress('photos', 0, todo.length);
    let done = 0;
    for (const o of todo) {
      this.checkpoint();
      const link = readLinks(this.db, this.userId).find((l) => l.contactId === o.contactId);
      const row = this.rows.get(o.contactId)!;
      if (!link || link.googleId.startsWith(PLACEHOLDER)) continue;
      try {
        let person: Person | undefined;
        let hash: string | null = null;
        if (o.op === 'set') {
          const bytes = photoBytes(this.db, o.contactId);
          hash = row.photo_sha256;
          if (!bytes) continue;
          let jpeg: Buffer;
          try {
            jpeg = await photoForGoogle(bytes);
          } catch (error) {
            if (error instanceof BadPhoto) {
              this.fail(o.contactId, link.googleId, line('contacts.badPhoto', { name: this.name(row), reason: error.message }));
              continue;
            }
            throw error;
          }
          const res: people_v1.Schema$UpdateContactPhotoResponse = await this.call('write', () =>
            this.g.ppl.people.updateContactPhoto({ resourceName: link.googleId, requestBody: { photoBytes: jpeg.toString('base64'), personFields: 'metadata' } }, this.opt()),
          );
          person = res.person;
        } else {
          const res: people_v1.Schema$DeleteContactPhotoResponse = await this.call('write', () =>
            this.g.ppl.people.deleteContactPhoto({ resourceName: link.googleId, personFields: 'metadata' }, this.opt()),
          );
          person = res.person;
        }
        this.db.transaction(() => {
          this.db
            .prepare(`UPDATE sync_links SET snapshot = json_set(snapshot, '$.p', ?), etag = coalesce(?, etag), synced_at = ? WHERE user_id = ? AND kind = 'contact' AND crm_id = ?`)
            .run(hash, person?.etag ?? null, this.at, this.userId, o.contactId);
          this.photoPending.delete(o.contactId);
          this.consumeOutbox(o.contactId);
        })();
        this.report.google.photos++;
        this.info(o.contactId, link.googleId, o.op === 'set' ? line('contacts.photoSent', { name: this.name(row) }) : line('contacts.photoDeleted', { name: this.name(row) }));
      } catch (error) {
        if (error instanceof CrmError) throw error;
        const status = statusOf(error);
        if (status !== null && status >= 400 && status < 500 && status !== 429) {
          if (status === 404) this.db.transaction(() => flagLink(this.db, this.userId, o.contactId, 'r'))();
          this.fail(o.contactId, link.googleId, line(o.op === 'set' ? 'contacts.photoNotSent' : 'contacts.photoNotDeleted', { name: this.name(row), reason: googleRefusal(error) }));
          continue;
        }
        throw error;
      }
      this.progress('photos', ++done, todo.length);
    }
  }
}

// ------------------------------------------------------------------------------ removal from the list

/**
 * Takes contacts off a user's list. With `deleteInGoogle`, their Google contacts are deleted
 * first (batchDeleteContacts, ≤ 500 a request) — if Google refuses, nothing changes here.
 * Without it, their links are kept, flagged: if a contact comes back on the list, its Google
 * contact is read again and merged rather than duplicated.
 */
export async function removeFromList(deps: ContactsEngineDeps, userId: number, contactIds: number[], deleteInGoogle: boolean): Promise<{ removed: number; deletedInGoogle: number }> {
  return withLock(deps.services, `contacts:${userId}`, async () => {
    const { db } = deps;
    const links = new Map(readLinks(db, userId).map((l) => [l.contactId, l]));
    let deletedInGoogle = 0;
    if (deleteInGoogle) {
      const g = await PeopleAccess.open(db, deps.services, userId, { clock: deps.clock, baseDelayMs: deps.baseDelayMs, quota: deps.quota });
      const names: string[] = [];
      const unsure = contactIds.filter((id) => {
        const l = links.get(id);
        if (l && !l.googleId.startsWith(PLACEHOLDER)) names.push(l.googleId);
        return l !== undefined && l.googleId.startsWith(PLACEHOLDER);
      });
      try {
        if (unsure.length > 0) {
          // A creation whose answer was lost: find what Google made by its CRM id.
          let pageToken: string | undefined;
          do {
            const page: people_v1.Schema$ListConnectionsResponse = await g.read(() => g.ppl.people.connections.list({ resourceName: 'people/me', pageSize: PAGE_SIZE, personFields: 'clientData', pageToken }));
            for (const p of page.connections ?? []) {
              const m = markerOf(p);
              if (m && unsure.includes(m.id) && p.resourceName) names.push(p.resourceName);
            }
            pageToken = page.nextPageToken ?? undefined;
          } while (pageToken);
        }
        for (let i = 0; i < names.length; i += DELETE_BATCH) {
          const chunk = names.slice(i, i + DELETE_BATCH);
          try {
            await g.write(() => g.ppl.people.batchDeleteContacts({ requestBody: { resourceNames: chunk } }), true);
            deletedInGoogle += chunk.length;
          } catch (error) {
            if (statusOf(error) !== 404) throw error;
            // One of them is gone already (deleted in Google): delete the others one by one.
            for (const rn of chunk) {
              try {
                await g.write(() => g.ppl.people.deleteContact({ resourceName: rn }), true);
                deletedInGoogle++;
              } catch (e) {
                if (statusOf(e) !== 404) throw e;
              }
            }
          }
        }
      } catch (error) {
        throw new CrmError('CONFLICT', `Deleting in Google failed, nothing was removed from the list: ${describeGoogleError(error).message}`);
      } finally {
        g.keepToken();
      }
    }
    const removed = db.transaction(() => {
      let n = 0;
      const del = db.prepare('DELETE FROM contact_sync_list WHERE user_id = ? AND contact_id = ?');
      for (const id of contactIds) {
        n += del.run(userId, id).changes;
        const l = links.get(id);
        if (!l) continue;
        if (deleteInGoogle || l.googleId.startsWith(PLACEHOLDER)) dropLink(db, userId, id);
        else flagLink(db, userId, id, 'd');
      }
      return n;
    })();
    return { removed, deletedInGoogle };
  });
}
