/**
 * `npm run bench -- agenda [--scale=1]`: the agenda sync against the emulator at 50 ms latency
 * and Google's default quota (600 requests per minute per user), next to the straightforward
 * way (one official-client call per event, backing off on quota errors). For each scenario:
 * requests sent, quota errors received, wall time, peak RSS growth, and the ratio of wall time
 * to the floor.
 *
 * The floor: the least time the quota and the round trips allow for the requests the scenario
 * needs at the least — ⌊(R − 1) / 600⌋ minutes for R quota-counted requests (a per-minute window
 * lets 600 through at once), plus the round trips that must follow each other (calendar lookup,
 * listing pages, then the write batches of ≤ 1,000 calls) at 50 ms each.
 */
import { calendar, type calendar_v3 } from '@googleapis/calendar';
import { OAuth2Client } from 'google-auth-library';
import { insertAction } from '../electron/core/actions/store';
import { agendaFixture, timed, type AgendaFixture } from '../tests/sync/agenda-fixture';
import { table } from './stats';

const LATENCY_MS = 50;
const QUOTA = 600;

interface Row extends Record<string, string | number> {
  scenario: string;
  way: string;
  requests: number;
  'quota errors': number;
  'wall s': number;
  'floor s': number;
  ratio: number;
  'RSS +MB': number;
}

const floorS = (quotaRequests: number, roundTrips: number) => Math.floor(Math.max(0, quotaRequests - 1) / QUOTA) * 60 + (roundTrips * LATENCY_MS) / 1000;

async function quotaErrors(f: AgendaFixture): Promise<number> {
  const s = (await f.emu.stats()) as { byStatus?: Record<string, number> };
  return (s.byStatus?.['429'] ?? 0) + (s.byStatus?.['403'] ?? 0);
}

/** Runs `fn`, sampling RSS; returns wall seconds and the peak RSS growth in MB. */
async function measure(fn: () => Promise<unknown>): Promise<{ wall: number; rss: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  const t0 = performance.now();
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  return { wall: (performance.now() - t0) / 1000, rss: (peak - base) / 1024 / 1024 };
}

async function fresh(): Promise<AgendaFixture> {
  return agendaFixture({ emulator: { latencyMs: LATENCY_MS } });
}

/** The straightforward client: official calls one by one, backing off 1 s, 2 s, 4 s… on quota errors. */
function naive() {
  let requests = 0;
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      requests++;
      try {
        return await fn();
      } catch (error) {
        const status = (error as { status?: number; response?: { status?: number } }).response?.status ?? (error as { status?: number }).status;
        if ((status === 403 || status === 429) && attempt < 8) await new Promise((r) => setTimeout(r, 1000 * 2 ** attempt));
        else throw error;
      }
    }
  };
  return { call, requests: () => requests };
}

function addActions(f: AgendaFixture, n: number): number[] {
  const ids: number[] = [];
  const at = new Date().toISOString();
  f.db.transaction(() => {
    for (let i = 0; i < n; i++) {
      ids.push(
        insertAction(
          f.db,
          {
            ownerId: f.repId,
            typeId: f.typeId,
            title: `Rendez-vous ${i}`,
            location: 'Lyon',
            period: timed(1 + (i % 60), 8 + (i % 9)),
            timeZone: 'Europe/Paris',
            private: false,
            reminder: { enabled: i % 3 === 0, minutesBefore: 15 },
            description: i % 5 === 0 ? 'Apporter le devis' : '',
            seriesId: null,
            contactId: null,
            companyId: null,
          },
          at,
        ),
      );
    }
  })();
  return ids;
}

function phoneEvents(n: number): calendar_v3.Schema$Event[] {
  return Array.from({ length: n }, (_, i) => {
    const p = timed(1 + (i % 80), 7 + (i % 11));
    return { summary: `Pris au téléphone ${i}`, start: { dateTime: p.start, timeZone: 'Europe/Paris' }, end: { dateTime: p.end, timeZone: 'Europe/Paris' } };
  });
}

async function officialClient(f: AgendaFixture): Promise<calendar_v3.Calendar> {
  const t = await f.emu.mintTokens({ clientId: 'crm-companion-test.apps.googleusercontent.com', email: f.repEmail, scopes: ['https://www.googleapis.com/auth/calendar'] });
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: t.access_token });
  return calendar({ version: 'v3', auth: auth as never, rootUrl: `${f.emu.url}/`, retry: false });
}

export async function run(args: string[]): Promise<void> {
  const scale = Number(args.find((a) => a.startsWith('--scale='))?.split('=')[1] ?? 1);
  if (!(scale > 0)) throw new Error('--scale must be a positive number');
  const N = Math.round(1000 * scale);
  const M = Math.round(10_000 * scale);
  const E = Math.max(1, Math.round(100 * Math.min(scale * 10, 1)));
  const rows: Row[] = [];
  const row = (scenario: string, way: string, requests: number, errors: number, m: { wall: number; rss: number }, floor: number) =>
    rows.push({ scenario, way, requests, 'quota errors': errors, 'wall s': m.wall, 'floor s': floor, ratio: m.wall / floor, 'RSS +MB': m.rss });
  console.log(`Agenda sync benchmark: ${N} new actions, ${M} phone events, ${E} edits; emulator at ${LATENCY_MS} ms, ${QUOTA} requests/min/user.`);

  // 1. Push N new actions.
  {
    const f = await fresh();
    addActions(f, N);
    let requests = 0;
    const m = await measure(async () => (requests = (await f.sync()).requests));
    row(`push ${N} new actions`, 'CRM Companion', requests, await quotaErrors(f), m, floorS(N + 2, 2 + Math.ceil(N / 1000)));
    await f.close();
  }
  {
    const f = await fresh();
    const cal = await officialClient(f);
    const nv = naive();
    const calendarId = f.calendarId;
    const m = await measure(async () => {
      for (let i = 0; i < N; i++) {
        const p = timed(1 + (i % 60), 8 + (i % 9));
        await nv.call(() => cal.events.insert({ calendarId, requestBody: { summary: `Rendez-vous ${i}`, start: { dateTime: p.start }, end: { dateTime: p.end } } }));
      }
    });
    row(`push ${N} new actions`, 'one call per event', nv.requests(), await quotaErrors(f), m, floorS(N, N));
    await f.close();
  }

  // 2. Pull M events booked in Google; 3. then a startup sync with nothing changed.
  {
    const f = await fresh();
    await f.emu.seedEvents(f.repEmail, phoneEvents(M), { calendarId: f.calendarId });
    let requests = 0;
    const m = await measure(async () => (requests = (await f.sync()).requests));
    row(`pull ${M} events`, 'CRM Companion', requests, await quotaErrors(f), m, floorS(2 + Math.ceil(M / 2500), 2 + Math.ceil(M / 2500)));
    const before = await quotaErrors(f);
    let again = 0;
    const idle = await measure(async () => (again = (await f.sync()).requests));
    row('startup sync, nothing changed', 'CRM Companion', again, (await quotaErrors(f)) - before, idle, floorS(1, 1));

    await f.close();
  }
  // 4. Push E edits (on a fresh account, so the quota the pull used does not weigh on it).
  {
    const f = await fresh();
    const ids = addActions(f, E);
    await f.sync();
    for (const id of ids) await f.core.invoke(f.rep, 'actions.update', { id, patch: { title: `Modifié ${id}` } });
    const beforeEdits = await quotaErrors(f);
    let edits = 0;
    const em = await measure(async () => (edits = (await f.sync()).requests));
    row(`push ${E} edits`, 'CRM Companion', edits, (await quotaErrors(f)) - beforeEdits, em, floorS(E + 1, 2));
    await f.close();
  }
  {
    const f = await fresh();
    await f.emu.seedEvents(f.repEmail, phoneEvents(M), { calendarId: f.calendarId });
    const cal = await officialClient(f);
    const nv = naive();
    const list = async () => {
      let pageToken: string | undefined;
      const items: calendar_v3.Schema$Event[] = [];
      do {
        const r = await nv.call(() => cal.events.list({ calendarId: f.calendarId, maxResults: 250, pageToken }));
        items.push(...(r.data.items ?? []));
        pageToken = r.data.nextPageToken ?? undefined;
      } while (pageToken);
      return items;
    };
    let items: calendar_v3.Schema$Event[] = [];
    const m = await measure(async () => (items = await list()));
    row(`pull ${M} events`, 'one call per event', nv.requests(), await quotaErrors(f), m, floorS(Math.ceil(M / 250), Math.ceil(M / 250)));
    const r0 = nv.requests();
    const idle = await measure(() => list());
    row('startup sync, nothing changed', 'one call per event', nv.requests() - r0, 0, idle, floorS(1, 1));
    const r1 = nv.requests();
    const e0 = await quotaErrors(f);
    const em = await measure(async () => {
      for (const e of items.slice(0, E)) await nv.call(() => cal.events.patch({ calendarId: f.calendarId, eventId: e.id!, requestBody: { summary: `Modifié ${e.id}` } }));
    });
    row(`push ${E} edits`, 'one call per event', nv.requests() - r1, (await quotaErrors(f)) - e0, em, floorS(E, E));
    await f.close();
  }

  console.log('');
  console.log(table(rows));
  console.log('\nTargets: no quota errors; wall within 1.15× the floor; startup sync with nothing changed in one request; RSS growth under 150 MB for 10,000 events.');
}
