/**
 * A demo CRM file, a core with the Node sealer (key file: no keyring in tests) and a capturing
 * logger, and an in-process Google emulator (auto-consent) with the demo users' accounts.
 */
import { Core } from '../../electron/core/app';
import type { Db } from '../../electron/core/db/database';
import { createLogger } from '../../electron/core/log';
import { flowAddress, flowResult, type FlowResult } from '../../electron/core/google/oauth';
import { createNodeSealer, type NodeSealer } from '../../electron/core/secrets-node';
import { startEmulator, type RunningEmulator, type StartOptions } from '../../emulator/index';
import type { EventName, EventPayload } from '../../shared/contract';
import { demoDb, loginAs, roles, userId } from '../helpers';

export const CLIENT = { clientId: 'crm-companion-test.apps.googleusercontent.com', clientSecret: 'GOCSPX-fixture-s3cret-value', publishing: 'production' as const };
export const CALENDAR = 'Agenda CRM';

export interface Fixture {
  env: ReturnType<typeof demoDb>;
  db: Db;
  core: Core;
  emu: RunningEmulator;
  sealer: NodeSealer;
  logLines: string[];
  opened: string[];
  events: { event: EventName; payload: unknown }[];
  adm: string;
  rep: string;
  repLogin: string;
  repId: number;
  repEmail: string;
  colleague: string;
  colleagueLogin: string;
  colleagueId: number;
  colleagueEmail: string;
  manager: string;
  close(): Promise<void>;
}

export interface FixtureOptions {
  emulator?: StartOptions;
  connectTimeoutMs?: number;
  now?: () => Date;
  /** Set the client as ADM (default true). */
  setClient?: boolean;
  publishing?: 'testing' | 'production';
  /** How the emulator is started (default: in this process); benchmarks run it in its own (emulator/process.ts). */
  startEmulator?: (options: StartOptions) => Promise<RunningEmulator>;
}

export async function fixture(opts: FixtureOptions = {}): Promise<Fixture> {
  const env = demoDb();
  const emu = await (opts.startEmulator ?? startEmulator)({ autoConsent: true, ...opts.emulator });
  const publishing = opts.publishing ?? CLIENT.publishing;
  await emu.registerClient({ ...CLIENT, publishing });
  const sealer = await createNodeSealer({ keyDir: env.dir, id: env.file, keyring: null });
  const logLines: string[] = [];
  const opened: string[] = [];
  const core = new Core({
    db: env.db,
    now: opts.now ?? (() => new Date()),
    logger: createLogger((line) => logLines.push(line), 'debug'),
    services: {
      secrets: sealer,
      openExternal: (url) => (opened.push(url), Promise.resolve()),
      google: { connectTimeoutMs: opts.connectTimeoutMs ?? 60_000 },
    },
  });
  const events: { event: EventName; payload: unknown }[] = [];
  core.onEvent((event, payload) => events.push({ event, payload }));
  const { reps, managers } = roles(env.summary);
  const emailOf = (login: string) => env.summary.users.find((u) => u.login === login)!.googleEmail!;
  for (const login of [reps[0]!, reps[1]!]) await emu.createAccount({ email: emailOf(login), name: login, calendars: [CALENDAR, 'Perso'] });
  const adm = loginAs(core, 'ADM');
  if (opts.setClient ?? true) {
    await core.invoke(adm, 'google.setClient', { clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret, publishing, rootUrl: emu.url });
  }
  const rep = loginAs(core, reps[0]!);
  const colleague = loginAs(core, reps[1]!);
  return {
    env,
    db: env.db,
    core,
    emu,
    sealer,
    logLines,
    opened,
    events,
    adm,
    rep,
    repLogin: reps[0]!,
    repId: userId(env.db, reps[0]!),
    repEmail: emailOf(reps[0]!),
    colleague,
    colleagueLogin: reps[1]!,
    colleagueId: userId(env.db, reps[1]!),
    colleagueEmail: emailOf(reps[1]!),
    manager: loginAs(core, managers[0]!),
    async close() {
      // No listener outlives its test.
      for (const conn of [rep, colleague, adm]) {
        const c = await core.call(conn, 'google.connection', {});
        const pending = c.ok ? (c.result as { pending: { flowId: string } | null }).pending : null;
        if (pending) await core.call(conn, 'google.cancelConnect', { flowId: pending.flowId });
      }
      await emu.close();
      env.cleanup();
    },
  };
}

/** Plays the browser: opens the consent URL and follows the redirects to the loopback. */
export async function consent(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { redirect: 'follow' });
  return { status: res.status, text: await res.text() };
}

/** Like consent, but stops at the redirect to the loopback and returns its URL. */
export async function consentRedirect(url: string): Promise<URL> {
  const res = await fetch(url, { redirect: 'manual' });
  const loc = res.headers.get('location');
  if (res.status !== 302 || !loc) throw new Error(`expected a redirect, got ${res.status}`);
  return new URL(loc);
}

/** Connects `conn` end to end (browser mode, auto-consent) and returns the flow's result. */
export async function connectVia(f: Fixture, conn: string, input: Record<string, unknown> = {}): Promise<FlowResult> {
  const pending = await f.core.invoke(conn, 'google.connect', input);
  const done = flowResult(f.core.services, pending.flowId)!;
  await consent(pending.consentUrl);
  return done;
}

export function loopbackPort(consentUrl: string): number {
  return Number(new URL(new URL(consentUrl).searchParams.get('redirect_uri')!).port);
}

export { flowAddress, flowResult };

/** Resolves with the error code of a TCP connection to 127.0.0.1:port (ECONNREFUSED once closed). */
export async function connectError(port: number): Promise<string | null> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(null)));
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
}

export function eventsOf<E extends EventName>(f: Fixture, event: E): EventPayload<E>[] {
  return f.events.filter((e) => e.event === event).map((e) => e.payload as EventPayload<E>);
}
