/**
 * `npm run bench -- agenda [--scale=1]`: the agenda sync against the emulator at 50 ms latency
 * and Google's default quota (600 requests per minute per user), next to the straightforward
 * way (one official-client call per event, backing off on quota errors). For each scenario:
 * requests sent, quota errors received, wall time, the floor, their ratio, and peak RSS growth.
 *
 * The floor is the least time ANY client needs for the scenario from the same starting state —
 * not the time our own choice of requests needs, which would flatter us. Each round trip that must
 * follow another costs what a client waits for it: L = 50 ms of latency plus the server's service
 * time for that request (no client has an answer before the server has produced it). With
 * Q = 600 requests per sliding minute (the emulator, like Google, counts each batch part against
 * it, and charges a request when it arrives, L after it was sent):
 *
 *   floor = max(C × L + S, (P + 1) × L + 60 s × ⌊(R − 1) / Q⌋)
 *
 * R: the Calendar requests the scenario needs at the least (a batch carries up to 1,000 calls,
 * a listing page up to 2,500 events); C: the round trips that must follow one another (token
 * refresh, calendar lookup, listing pages — each needs the previous page's token — and ⌈calls /
 * 1,000⌉ batches); P: the round trips before the first quota-counted request (the token refresh
 * when no access token is held); S: the emulator's own service time for the scenario's requests
 * (from the moment a request is let through after the 50 ms until its answer is written; token
 * refreshes included), measured in the same run ("server s"). The first quota-counted request is
 * charged at (P + 1) × L at the earliest and the R-th one a whole minute later for every Q before
 * it. Our own work is never in the floor: parsing, mapping, SQLite, the log — all of the syncing
 * process's CPU ("cpu s") — counts against us, so the floor is below what can be reached.
 * Per scenario:
 *   push N new actions   refresh + calendar lookup + N inserts: R = 1 + N, C = 2 + ⌈N/1000⌉, P = 1
 *   pull M events        refresh + calendar lookup + ⌈M/2500⌉ pages: R = 1 + ⌈M/2500⌉, C = 2 + ⌈M/2500⌉, P = 1
 *   startup, no change   one incremental listing, token still valid: R = 1, C = 1, P = 0
 *   push E edits         E conditional PATCHes, token still valid: R = E, C = ⌈E/1000⌉, P = 0
 * Both ways start from the same state (a refresh token, the calendar known by name) and are held
 * to the same floor. The straightforward way writes nothing to the CRM (only its Google traffic is
 * timed), which flatters it, not us.
 *
 * The emulator runs in a process of its own (emulator/process.ts), as Google does not share our
 * CPU; its time on each request still counts in the wall time, as Google's would, and in the
 * floor (S above). "ratio" is wall / floor. For information the table also prints the floor of
 * latency alone ("net floor s": max(C × L, …), S left out), which no real server reaches.
 *
 * Each part runs in a child process of its own, so each RSS growth is measured from a fresh heap,
 * not from what an earlier part left; the machine's load average is printed with each part (other
 * work on the machine shows in the times). `--part=NAME` prints one JSON line per scenario, with
 * its floor and ratio.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { calendar, type calendar_v3 } from '@googleapis/calendar';
import { OAuth2Client } from 'google-auth-library';
import { insertAction } from '../electron/core/actions/store';
import { runAgendaSync } from '../electron/core/sync/agenda/engine';
import { startEmulatorProcess } from '../emulator/process';
import { CALENDAR, CLIENT } from '../tests/google/fixture';
import { agendaFixture, timed, type AgendaFixture } from '../tests/sync/agenda-fixture';
import { table } from './stats';

const LATENCY_MS = 50;
const QUOTA = 600;
const BATCH = 1000;
const PAGE = 2500;

interface Row extends Record<string, string | number> {
  scenario: string;
  way: string;
  requests: string;
  batches: string;
  refreshes: string;
  'quota errors': string;
  'wall s': number;
  'cpu s': number;
  'server s': number;
  'floor s': number;
  ratio: number;
  'net floor s': number;
  'RSS +MB': number;
  'heap +MB': number;
  load: string;
}

interface FloorInput {
  requests: number;
  roundTrips: number;
  before: number;
}

/** See the header: the least time the round trips (latency + `serverS`, the server's service time) and the quota allow. `serverS = 0` gives the net floor. */
export function floorS(o: FloorInput, serverS = 0): number {
  const L = LATENCY_MS / 1000;
  return Math.max(o.roundTrips * L + serverS, (o.before + 1) * L + 60 * Math.floor(Math.max(0, o.requests - 1) / QUOTA));
}

interface Counts {
  requests: number;
  quotaErrors: number;
  batches: number;
  refreshes: number;
  /** The emulator's service time for these requests, in seconds. */
  serverS: number;
}

/** What the emulator saw of this account: Calendar requests (batch parts each), quota errors; and batches and token refreshes. */
async function counts(f: AgendaFixture): Promise<Counts> {
  type Counter = { byStatus?: Record<string, number>; byRoute?: Record<string, Record<string, number>>; serviceMs?: number };
  const s = (await f.emu.stats()) as Counter & { byAccount?: Record<string, Counter> };
  const mine = s.byAccount?.[f.repEmail] ?? {};
  const sum = (r: Record<string, number> | undefined) => Object.values(r ?? {}).reduce((a, b) => a + b, 0);
  let requests = 0;
  for (const [route, byStatus] of Object.entries(mine.byRoute ?? {})) if (route.includes(' calendar.')) requests += sum(byStatus);
  return {
    requests,
    quotaErrors: (mine.byStatus?.['429'] ?? 0) + (mine.byStatus?.['403'] ?? 0),
    batches: sum(s.byRoute?.['POST batch.calendar']),
    refreshes: sum(s.byRoute?.['POST oauth.token']),
    // All of the emulator's API time (token refreshes included): only this scenario talks to it.
    serverS: (s.serviceMs ?? 0) / 1000,
  };
}

const minus = (a: Counts, b: Counts): Counts => ({
  requests: a.requests - b.requests,
  quotaErrors: a.quotaErrors - b.quotaErrors,
  batches: a.batches - b.batches,
  refreshes: a.refreshes - b.refreshes,
  serverS: a.serverS - b.serverS,
});

/**
 * Runs `fn` and returns its wall seconds, the CPU seconds this process spent meanwhile (user +
 * system, every thread: what the machine's load does not change much), and two memory figures in MB:
 * - rss: the peak RSS growth over the RSS before — sampled every 5 ms, and the process's peak RSS
 *   (getrusage) when the run raised it, which catches a peak inside a long synchronous step;
 * - heap: the peak of V8's heap in use plus external memory (Buffers) over the same after a full
 *   GC before the run — what the run itself held at its peak, garbage not yet collected included.
 * RSS alone says little here: the setup (the demo company, seeding the in-process emulator) has
 * already grown the process, and V8 keeps the pages it freed, so a run reuses them.
 */
async function measure(fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number; rss: number; heap: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const heapOf = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.external;
  };
  const base = process.memoryUsage().rss;
  const heapBase = heapOf();
  const maxBefore = process.resourceUsage().maxRSS * 1024;
  let peak = base;
  let heapPeak = heapBase;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
    heapPeak = Math.max(heapPeak, heapOf());
  };
  const timer = setInterval(sample, 5);
  const profiler = await startProfile();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  const wall = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu0);
  await profiler?.();
  sample();
  const maxAfter = process.resourceUsage().maxRSS * 1024;
  if (maxAfter > maxBefore) peak = Math.max(peak, maxAfter);
  return { wall, cpu: (used.user + used.system) / 1e6, rss: (peak - base) / 1024 / 1024, heap: (heapPeak - heapBase) / 1024 / 1024 };
}

let profiles = 0;

/**
 * With AGENDA_BENCH_PROFILE=DIR, a V8 CPU profile of each measured call alone (not the setup) is
 * written to DIR/agenda-PID-N.cpuprofile (open it in Chrome's DevTools or speedscope). The
 * profiler's own sampling costs some CPU: compare profiles with profiles, not with the table.
 */
async function startProfile(): Promise<(() => Promise<void>) | null> {
  const dir = process.env.AGENDA_BENCH_PROFILE;
  if (!dir) return null;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(path.join(dir, `agenda-${process.pid}-${++profiles}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  };
}

async function fresh(): Promise<AgendaFixture> {
  return agendaFixture({ emulator: { latencyMs: LATENCY_MS }, startEmulator: startEmulatorProcess });
}

/** The emulator takes at most 5,000 events per seed call. */
async function seed(f: AgendaFixture, events: calendar_v3.Schema$Event[]): Promise<void> {
  for (let i = 0; i < events.length; i += 5000) await f.emu.seedEvents(f.repEmail, events.slice(i, i + 5000), { calendarId: f.calendarId });
}

/**
 * The straightforward client: the official Calendar client on a refresh token (so it refreshes
 * like any app that starts), finding the calendar by name, then one call per event, backing off
 * 1 s, 2 s, 4 s… on quota errors.
 */
async function naive(f: AgendaFixture) {
  const t = await f.emu.mintTokens({ clientId: CLIENT.clientId, email: f.repEmail, scopes: ['https://www.googleapis.com/auth/calendar'] });
  const auth = new OAuth2Client({ clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret, endpoints: { oauth2TokenUrl: `${f.emu.url}/token` } });
  auth.setCredentials({ refresh_token: t.refresh_token });
  const cal = calendar({ version: 'v3', auth: auth as never, rootUrl: `${f.emu.url}/`, retry: false });
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        const status = (error as { status?: number; response?: { status?: number } }).response?.status ?? (error as { status?: number }).status;
        if ((status === 403 || status === 429) && attempt < 8) await new Promise((r) => setTimeout(r, 1000 * 2 ** attempt));
        else throw error;
      }
    }
  };
  const calendarId = async () => (await call(() => cal.calendarList.list())).data.items!.find((c) => c.summary === CALENDAR)!.id!;
  return { cal, call, calendarId };
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

interface Result {
  scenario: string;
  way: string;
  counts: Counts;
  wall: number;
  cpu: number;
  rss: number;
  heap: number;
  floor: FloorInput;
  /** Load average (1 min) of the machine before and after the part. */
  load: [number, number];
}

type Part = 'push' | 'push-naive' | 'pull' | 'edits' | 'naive';
const PARTS: readonly Part[] = ['push', 'push-naive', 'pull', 'edits', 'naive'];

/** One part of the benchmark, in this process; its results are printed as one JSON line each. */
async function runPart(part: Part, scale: number): Promise<Result[]> {
  const N = Math.round(1000 * scale);
  const M = Math.round(10_000 * scale);
  const E = Math.max(1, Math.round(100 * Math.min(scale * 10, 1)));
  const floors: Record<'push' | 'pull' | 'idle' | 'edits', FloorInput> = {
    push: { requests: 1 + N, roundTrips: 2 + Math.ceil(N / BATCH), before: 1 },
    pull: { requests: 1 + Math.ceil(M / PAGE), roundTrips: 2 + Math.ceil(M / PAGE), before: 1 },
    idle: { requests: 1, roundTrips: 1, before: 0 },
    edits: { requests: E, roundTrips: Math.ceil(E / BATCH), before: 0 },
  };
  const out: Result[] = [];
  const load0 = loadavg()[0]!;
  const row = (scenario: string, way: string, counts: Counts, m: { wall: number; cpu: number; rss: number; heap: number }, floor: FloorInput) =>
    out.push({ scenario, way, counts, ...m, floor, load: [load0, loadavg()[0]!] });
  const f = await fresh();
  try {
    switch (part) {
      // 1. Push N new actions: the first sync of a fresh connection.
      case 'push': {
        addActions(f, N);
        const c0 = await counts(f);
        const m = await measure(() => f.sync());
        row(`push ${N} new actions`, 'CRM Companion', minus(await counts(f), c0), m, floors.push);
        break;
      }
      case 'push-naive': {
        const nv = await naive(f);
        const c0 = await counts(f);
        const m = await measure(async () => {
          const calendarId = await nv.calendarId();
          for (let i = 0; i < N; i++) {
            const p = timed(1 + (i % 60), 8 + (i % 9));
            await nv.call(() => nv.cal.events.insert({ calendarId, requestBody: { summary: `Rendez-vous ${i}`, start: { dateTime: p.start }, end: { dateTime: p.end } } }));
          }
        });
        row(`push ${N} new actions`, 'one call per event', minus(await counts(f), c0), m, floors.push);
        break;
      }
      // 2. Pull M events booked in Google; 3. then a startup sync with nothing changed.
      case 'pull': {
        await seed(f, phoneEvents(M));
        const c0 = await counts(f);
        const m = await measure(() => f.sync());
        const c1 = await counts(f);
        row(`pull ${M} events`, 'CRM Companion', minus(c1, c0), m, floors.pull);
        const idle = await measure(() => f.sync());
        row('startup sync, nothing changed', 'CRM Companion', minus(await counts(f), c1), idle, floors.idle);
        break;
      }
      // 4. Push E edits, as automatic sync sends them.
      case 'edits': {
        const ids = addActions(f, E);
        await f.sync();
        for (const id of ids) await f.core.invoke(f.rep, 'actions.update', { id, patch: { title: `Modifié ${id}` } });
        const c0 = await counts(f);
        const deps = { db: f.db, services: f.core.services, now: () => new Date(), broadcast: f.core.broadcast.bind(f.core) };
        const m = await measure(() => runAgendaSync(deps, { userId: f.repId, startedBy: null, trigger: 'automatic', dryRun: false }));
        row(`push ${E} edits`, 'CRM Companion', minus(await counts(f), c0), m, floors.edits);
        break;
      }
      case 'naive': {
        await seed(f, phoneEvents(M));
        const nv = await naive(f);
        let calendarId = '';
        const list = async () => {
          let pageToken: string | undefined;
          const items: calendar_v3.Schema$Event[] = [];
          do {
            const r = await nv.call(() => nv.cal.events.list({ calendarId, maxResults: 250, pageToken }));
            items.push(...(r.data.items ?? []));
            pageToken = r.data.nextPageToken ?? undefined;
          } while (pageToken);
          return items;
        };
        let items: calendar_v3.Schema$Event[] = [];
        const c0 = await counts(f);
        const m = await measure(async () => {
          calendarId = await nv.calendarId();
          items = await list();
        });
        const c1 = await counts(f);
        row(`pull ${M} events`, 'one call per event', minus(c1, c0), m, floors.pull);
        const idle = await measure(() => list());
        const c2 = await counts(f);
        row('startup sync, nothing changed', 'one call per event', minus(c2, c1), idle, floors.idle);
        const em = await measure(async () => {
          for (const e of items.slice(0, E)) await nv.call(() => nv.cal.events.patch({ calendarId, eventId: e.id!, requestBody: { summary: `Modifié ${e.id}` } }));
        });
        row(`push ${E} edits`, 'one call per event', minus(await counts(f), c2), em, floors.edits);
        break;
      }
    }
  } finally {
    await f.close();
  }
  return out;
}

const RESULT = '@@agenda-bench ';

/** Runs one part in a child process of its own: a fresh heap, so each peak RSS growth is that part's alone. */
function runChild(part: Part, scale: number): Promise<Result[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, path.join(import.meta.dirname, 'run.ts'), 'agenda', `--scale=${scale}`, `--part=${part}`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    // The parent's end is the child's end (Ctrl-C, a failure): no emulator or bench outlives it.
    const kill = () => child.kill();
    process.once('exit', kill);
    let text = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (text += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      process.off('exit', kill);
      const results = text
        .split('\n')
        .filter((l) => l.startsWith(RESULT))
        .map((l) => JSON.parse(l.slice(RESULT.length)) as Result);
      if (code !== 0) reject(new Error(`bench part "${part}" exited with ${code}:\n${text}`));
      else resolve(results);
    });
  });
}

export async function run(args: string[]): Promise<void> {
  const scale = Number(args.find((a) => a.startsWith('--scale='))?.split('=')[1] ?? 1);
  if (!(scale > 0)) throw new Error('--scale must be a positive number');
  const part = args.find((a) => a.startsWith('--part='))?.split('=')[1];
  if (part !== undefined) {
    if (!PARTS.includes(part as Part)) throw new Error(`--part must be one of ${PARTS.join(', ')}`);
    for (const r of await runPart(part as Part, scale)) {
      const floor = floorS(r.floor, r.counts.serverS);
      console.log(`${RESULT}${JSON.stringify({ ...r, floorS: floor, ratio: r.wall / floor, netFloorS: floorS(r.floor) })}`);
    }
    return;
  }
  const N = Math.round(1000 * scale);
  const M = Math.round(10_000 * scale);
  const E = Math.max(1, Math.round(100 * Math.min(scale * 10, 1)));
  console.log(`Agenda sync benchmark: ${N} new actions, ${M} phone events, ${E} edits; emulator at ${LATENCY_MS} ms, ${QUOTA} requests/min/user.`);
  console.log('Each part runs in a process of its own, one after the other (nothing else of the benchmark runs meanwhile); the emulator runs in a process of its own too.');
  const results: Result[] = [];
  for (const p of PARTS) results.push(...(await runChild(p, scale)));
  const order = (r: Result) => (r.way === 'CRM Companion' ? 0 : 1);
  const rows: Row[] = results
    .sort((a, b) => order(a) - order(b))
    .map((r) => {
      const floor = floorS(r.floor, r.counts.serverS);
      return {
        scenario: r.scenario,
        way: r.way,
        // Counts as text, so the table prints them as integers.
        requests: String(r.counts.requests),
        batches: String(r.counts.batches),
        refreshes: String(r.counts.refreshes),
        'quota errors': String(r.counts.quotaErrors),
        'wall s': r.wall,
        'cpu s': r.cpu,
        'server s': r.counts.serverS,
        'floor s': floor,
        ratio: r.wall / floor,
        'net floor s': floorS(r.floor),
        'RSS +MB': r.rss,
        'heap +MB': r.heap,
        load: `${r.load[0].toFixed(1)}→${r.load[1].toFixed(1)}`,
      };
    });
  console.log('');
  console.log(table(rows));
  console.log(
    [
      '',
      'requests: Calendar requests counted against the quota (each batch part counts, as at Google); batches: multipart batch requests; refreshes: OAuth token refreshes.',
      'cpu s: CPU time of the syncing process during the scenario (user + system, all its threads; the emulator\'s is in server s).',
      'RSS +MB: peak RSS growth over the RSS before the run; heap +MB: peak V8 heap in use + external memory over the same after a GC (see measure()).',
      'server s: the emulator\'s own service time for the scenario\'s requests (latency excluded), measured in this run.',
      `floor s = max(C × ${LATENCY_MS} ms + server s, (P + 1) × ${LATENCY_MS} ms + 60 s × ⌊(R − 1) / ${QUOTA}⌋): each of the C round trips that must follow one another costs the latency plus`,
      '  the server\'s time, as a client waits for it; R requests the scenario needs at the least, P round trips before the first quota-counted one (token refresh when due).',
      '  None of the syncing process\'s own work is in it (bench/agenda.ts explains each scenario). ratio = wall s / floor s.',
      'net floor s: the same without the server\'s time (latency alone), for information.',
      'load: the machine\'s 1-minute load average before → after the part (2 cores; other work on the machine slows every figure but the floors).',
      'Targets: no quota errors; wall within 1.15× the floor; startup sync with nothing changed in one request per calendar (plus a token refresh when due)',
      '  and under 150 ms beyond the round trips; RSS growth under 150 MB for 10,000 events.',
    ].join('\n'),
  );
}
