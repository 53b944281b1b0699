/**
 * Cancel while a run waits for a quota slot (pacer.ts): the wait ends at once, the run reports
 * 'cancelled', and the next run finishes the job with no duplicate — agenda and contacts.
 *
 * The pacers here run on a clock that stands still until the test lets it go: a run that only
 * stopped once its slot came would never end, and the test would fail on its timeout.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Emit } from '../../electron/core/context';
import { insertAction } from '../../electron/core/actions/store';
import { CALENDAR_REQUESTS_PER_MINUTE, calendarPacer } from '../../electron/core/sync/agenda/google';
import { eventIdFor } from '../../electron/core/sync/agenda/mapping';
import { runContactsSync, type ContactsEngineDeps } from '../../electron/core/sync/contacts/engine';
import { realClock, SlidingWindowLimiter, type Clock } from '../../electron/core/sync/pacer';
import type { EventPayload } from '../../shared/contract';
import { agendaFixture, timed, type AgendaFixture } from './agenda-fixture';
import { contactsFixture, type ContactsFixture } from './contacts-fixture';

/** A clock that stands still while frozen: a sleep started then ends only when the test thaws it. */
function standingClock() {
  let t = 1_000_000;
  let frozen = true;
  let thaw: (() => void)[] = [];
  let waiting: () => void = () => undefined;
  const firstWait = new Promise<void>((resolve) => (waiting = resolve));
  const clock: Clock = {
    now: () => t,
    sleep: (ms) => {
      if (!frozen) {
        t += ms;
        return Promise.resolve();
      }
      waiting();
      return new Promise<void>((resolve) => thaw.push(() => ((t += ms), resolve())));
    },
  };
  return {
    clock,
    /** Resolves once something waits on the clock (the pacer: no slot left). */
    firstWait,
    /** Time moves again, past the pacer's minute. */
    release() {
      frozen = false;
      t += 61_000;
      for (const f of thaw) f();
      thaw = [];
    },
    pendingSleeps: () => thaw.length,
  };
}

describe('cancelling an agenda sync that waits for a quota slot', () => {
  let f: AgendaFixture;
  afterEach(async () => {
    await f.close();
  });

  it('ends at once as cancelled (agendaSync.cancel); the next run pushes the rest, no event twice', async () => {
    f = await agendaFixture();
    const time = standingClock();
    // The rep's Calendar pacer, nearly full: the calendar lookup, the listing and the first batch
    // of 100 go, the second batch waits for its slot.
    const pacer = calendarPacer(f.core.services, f.repId, time.clock);
    await pacer.take(CALENDAR_REQUESTS_PER_MINUTE - 102);
    const at = new Date().toISOString();
    const ids = f.db.transaction(() =>
      Array.from({ length: 150 }, (_, i) =>
        insertAction(
          f.db,
          { ownerId: f.repId, typeId: f.typeId, title: `Visite ${i}`, location: '', period: timed(1 + (i % 20), 8 + (i % 9)), timeZone: 'Europe/Paris', private: false, reminder: { enabled: false, minutesBefore: 15 }, description: '', seriesId: null, contactId: null, companyId: null },
          at,
        ),
      ),
    )();

    const running = f.sync();
    await time.firstWait;
    expect(time.pendingSleeps()).toBe(1);
    expect(await f.core.invoke(f.rep, 'agendaSync.cancel', {})).toEqual({ userId: f.repId, cancelled: 1 });
    const report = await running;
    expect(report.status).toBe('cancelled');
    expect(report.requests).toBe(102);
    expect(f.events.some((e) => e.event === 'onSyncFinished' && (e.payload as EventPayload<'onSyncFinished'>).status === 'cancelled')).toBe(true);
    // The first batch reached Google; the second never left.
    expect(await f.gEvents()).toHaveLength(100);

    time.release();
    const next = await f.sync();
    expect(next.status).toBe('ok');
    const events = await f.gEvents();
    expect(events).toHaveLength(150);
    expect(events.map((e) => e.id).sort()).toEqual(ids.map((id) => eventIdFor(id)).sort());
    expect(f.db.prepare("SELECT count(*) AS n FROM sync_links WHERE user_id = ? AND kind = 'event'").get(f.repId)).toEqual({ n: 150 });
    expect(f.db.prepare("SELECT count(*) AS n FROM outbox WHERE entity = 'action'").get()).toEqual({ n: 0 });
    const again = await f.sync();
    expect(again).toMatchObject({ status: 'ok', google: { created: 0, updated: 0, deleted: 0 }, crm: { created: 0, updated: 0, deleted: 0 } });
  });
});

describe('cancelling a contacts sync that waits for a quota slot', () => {
  let f: ContactsFixture;
  afterEach(async () => {
    await f.close();
  });

  it('ends at once as cancelled; its placeholders are gone; the next run creates the rest, no contact twice', async () => {
    f = await contactsFixture();
    const time = standingClock();
    const abort = new AbortController();
    const ids: number[] = [];
    for (let i = 0; i < 250; i++) ids.push(await f.createContact({ firstName: `Prénom${i}`, lastName: `Nom${i}` }));
    await f.add(ids);
    // One write a minute: the first batch of 200 goes, the second waits for its slot.
    const deps: ContactsEngineDeps = {
      db: f.db,
      services: f.core.services,
      now: () => new Date(),
      broadcast: ((event: string, payload: unknown) => f.core.broadcast(event as never, payload as never)) as Emit,
      clock: time.clock,
      quota: { readsPerMinute: 10, writesPerMinute: 1 },
    };
    const running = runContactsSync(deps, { userId: f.repId, startedBy: f.repId, dryRun: false, signal: abort.signal });
    await time.firstWait;
    abort.abort();
    const report = await running;
    expect(report.status).toBe('cancelled');
    expect(report.google.created).toBe(200);
    expect(report.errors).toEqual([{ contactId: null, googleId: null, message: 'The sync was cancelled.', code: 'run.cancelled', params: { brief: 1 } }]);
    expect(await f.gContacts()).toHaveLength(200);
    expect(f.db.prepare("SELECT count(*) AS n FROM sync_links WHERE user_id = ? AND kind = 'contact' AND google_id LIKE 'creating:%'").get(f.repId)).toEqual({ n: 0 });

    time.release();
    const next = await runContactsSync(deps, { userId: f.repId, startedBy: f.repId, dryRun: false });
    expect(next).toMatchObject({ status: 'ok', google: { created: 50 } });
    const people = await f.gContacts();
    expect(people).toHaveLength(250);
    const crmIds = people.map((p) => Number(p.clientData?.find((d) => d.value && /^\d+$/.test(d.value))?.value));
    expect(new Set(crmIds).size).toBe(250);
    expect(f.db.prepare("SELECT count(*) AS n FROM outbox WHERE entity = 'contact'").get()).toEqual({ n: 0 });
  });
});

describe('the pacer', () => {
  it('ends a wait when its signal aborts, with the signal\'s reason, and counts nothing for it', async () => {
    const time = standingClock();
    const limiter = new SlidingWindowLimiter({ limit: 2, clock: time.clock });
    await limiter.take(2);
    const abort = new AbortController();
    const waiting = limiter.take(1, abort.signal);
    await time.firstWait;
    abort.abort(new Error('stop'));
    await expect(waiting).rejects.toThrowError('stop');
    await expect(limiter.take(1, abort.signal)).rejects.toThrowError('stop');
    time.release();
    // The aborted waits took no slot: two fit in the next window.
    await limiter.take(2);
  });

  it('on the real clock, a minute-long wait ends when its signal aborts, and leaves no timer behind', async () => {
    const limiter = new SlidingWindowLimiter({ limit: 1 });
    await limiter.take(1);
    const abort = new AbortController();
    const waiting = limiter.take(1, abort.signal);
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    abort.abort(new Error('cancelled by the user'));
    await expect(waiting).rejects.toThrowError('cancelled by the user');
    expect(timers()).toBe(before - 1);
    await expect(realClock.sleep(60_000, abort.signal)).rejects.toThrowError('cancelled by the user');
  });
});
