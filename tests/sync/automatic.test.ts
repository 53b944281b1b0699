/**
 * Automatic sync: CRM edits reach Google within the scheduler's delay, from the outbox; an
 * offline moment loses nothing and sends nothing twice; changes left by a closed app go out
 * at the next start.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AutomaticSync } from '../../electron/core/sync/agenda/scheduler';
import { agendaFixture, timed, type AgendaFixture } from './agenda-fixture';

let f: AgendaFixture;
let automatic: AutomaticSync | null = null;

beforeEach(async () => {
  f = await agendaFixture();
  await f.core.invoke(f.rep, 'syncPrefs.update', { patch: { automaticSync: true } });
});
afterEach(async () => {
  automatic?.stop();
  automatic = null;
  await f.close();
});

const outboxRows = () => (f.db.prepare("SELECT count(*) AS n FROM outbox WHERE entity = 'action'").get() as { n: number }).n;
const titles = async () => (await f.gEvents()).filter((e) => e.status !== 'cancelled').map((e) => e.summary).sort();

describe('automatic sync', () => {
  it('pushes an add, a change and a delete without anyone asking', async () => {
    automatic = f.core.startAutomaticSync({ delayMs: 20 });
    const id = await f.createAction({ title: 'Rendez-vous pris au bureau', period: timed(2) });
    await automatic.idle();
    expect(await titles()).toContain('Rendez-vous pris au bureau');
    expect(outboxRows()).toBe(0);

    await f.core.invoke(f.rep, 'actions.update', { id, patch: { title: 'Rendez-vous déplacé', period: timed(3, 14) } });
    await automatic.idle();
    const moved = (await f.gEvents()).find((e) => e.summary === 'Rendez-vous déplacé');
    expect(moved?.start?.dateTime && Date.parse(moved.start.dateTime)).toBe(Date.parse(timed(3, 14).start));

    await f.core.invoke(f.rep, 'actions.delete', { id });
    await automatic.idle();
    expect(await titles()).not.toContain('Rendez-vous déplacé');
    expect(outboxRows()).toBe(0);
  });

  it('keeps the change while Google cannot be reached, then sends it once', async () => {
    automatic = f.core.startAutomaticSync({ delayMs: 20, retryMs: 200 });
    await f.emu.fault({ type: 'error', status: 503, count: 40, api: 'any' });
    await f.createAction({ title: 'Appel pendant la panne', period: timed(1) });
    // Wait for the first attempt to fail.
    for (let i = 0; i < 100 && (await f.core.invoke(f.rep, 'agendaSync.log', {})).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(outboxRows()).toBe(1);
    await f.emu.clearFaults();
    await automatic.idle();
    expect((await titles()).filter((t) => t === 'Appel pendant la panne')).toHaveLength(1);
    expect(outboxRows()).toBe(0);
  });

  it('pushes at start what a closed app left in the outbox', async () => {
    await f.createAction({ title: 'Saisi hors ligne', period: timed(4) });
    expect(outboxRows()).toBe(1);
    automatic = f.core.startAutomaticSync({ delayMs: 20 });
    await automatic.idle();
    expect(await titles()).toContain('Saisi hors ligne');
  });

  it('does nothing when automatic sync is off', async () => {
    await f.core.invoke(f.rep, 'syncPrefs.update', { patch: { automaticSync: false } });
    automatic = f.core.startAutomaticSync({ delayMs: 20 });
    const before = await f.requests();
    await f.createAction({ title: 'Pas automatique', period: timed(2) });
    await new Promise((r) => setTimeout(r, 150));
    await automatic.idle();
    expect(await f.requests()).toBe(before);
    expect(outboxRows()).toBe(1);
  });
});
