/**
 * What each user may see, in a real browser over the browser host, and the host's guards:
 * a bad payload sent straight to the HTTP bridge, and requests without the launch token.
 */
import { request as playwrightRequest } from '@playwright/test';
import { TZDate } from '@date-fns/tz';
import { startOfWeek } from 'date-fns';
import { insertAction } from '../electron/core/actions/store';
import { expect, login, test, type HostFixture } from './fixtures';

/** Adds a private action to `login`'s agenda on Wednesday of the current week, 10:00 Paris. */
function privateActionThisWeek(host: HostFixture, owner: string, title: string): number {
  const monday = startOfWeek(new TZDate(Date.now(), 'Europe/Paris'), { weekStartsOn: 1 });
  const start = new TZDate(monday.getFullYear(), monday.getMonth(), monday.getDate() + 2, 10, 0, 0, 0, 'Europe/Paris');
  return insertAction(
    host.db,
    {
      ownerId: host.userId(owner),
      typeId: 1,
      title,
      location: 'Bureau',
      period: { allDay: false, start: start.toISOString(), end: new Date(start.getTime() + 3_600_000).toISOString() },
      timeZone: 'Europe/Paris',
      private: true,
      reminder: { enabled: false, minutesBefore: 15 },
      description: '',
      seriesId: null,
      contactId: null,
      companyId: null,
    },
    new Date().toISOString(),
  );
}

test('a sales rep sees their own agenda and no colleague', async ({ page, host }) => {
  const rep = host.users.reps[0]!;
  await login(page, host, rep);
  const picker = page.getByTestId('user-picker');
  await expect(picker.locator('input[type="checkbox"]')).toHaveCount(1);
  await expect(picker.locator(`[data-user-id="${host.userId(rep)}"]`)).toHaveCount(1);
  const blocks = page.getByTestId('action-block');
  await expect(blocks.first()).toBeVisible();
  // A block's agenda is its column's (timed blocks and all-day chips alike).
  const owners = await blocks.evaluateAll((els) => [...new Set(els.map((e) => e.closest('[data-user-id]')?.getAttribute('data-user-id')))]);
  expect(owners).toEqual([String(host.userId(rep))]);
  await expect(page.locator('[data-testid="action-block"].busy')).toHaveCount(0);
});

test('a manager with the Agenda right sees a colleague\'s private action only as busy', async ({ page, host }) => {
  const [manager1, manager2] = host.users.managers as [string, string];
  const rep3 = host.users.reps[2]!;
  const secret = 'Rendez-vous médical confidentiel';
  const id = privateActionThisWeek(host, rep3, secret);

  await login(page, host, manager2);
  const picker = page.getByTestId('user-picker');
  await expect(picker.locator('input[type="checkbox"]')).toHaveCount(2);
  await picker.locator(`[data-user-id="${host.userId(rep3)}"]`).check();
  const block = page.locator(`[data-testid="action-block"][data-action-id="${id}"]`);
  await expect(block).toBeVisible();
  await expect(block).toHaveClass(/\bbusy\b/);
  await expect(page.getByText(secret)).toHaveCount(0);
  // Nor can the manager read it through the bridge.
  const direct = await page.request.post(`${host.url}/api/call/actions.get`, { data: { id } });
  expect(direct.status()).toBe(404);

  // The first manager holds no right on that rep: the picker does not offer them.
  await page.getByRole('button', { name: /se déconnecter|log out/i }).click();
  await login(page, host, manager1);
  await expect(page.getByTestId('user-picker').locator(`[data-user-id="${host.userId(rep3)}"]`)).toHaveCount(0);
});

test('a manager with the Visible right sees the private action in full', async ({ page, host }) => {
  const manager1 = host.users.managers[0]!;
  const rep1 = host.users.reps[0]!;
  const title = 'Déjeuner privé avec le client';
  const id = privateActionThisWeek(host, rep1, title);
  await login(page, host, manager1);
  await page.getByTestId('user-picker').locator(`[data-user-id="${host.userId(rep1)}"]`).check();
  const block = page.locator(`[data-testid="action-block"][data-action-id="${id}"]`);
  await expect(block).not.toHaveClass(/\bbusy\b/);
  await expect(block).toContainText(title);
});

test('a bad payload sent straight to the HTTP bridge is rejected and changes nothing', async ({ page, host }) => {
  await login(page, host, host.users.reps[0]!);
  const count = () => host.db.prepare('SELECT (SELECT count(*) FROM actions) AS a, (SELECT count(*) FROM outbox) AS o, (SELECT total(version) FROM actions) AS v').get();
  const before = count();
  const bad = await page.request.post(`${host.url}/api/call/actions.create`, {
    data: { typeId: 1, title: 'Intrus', period: { allDay: false, start: '2026-11-24T10:00:00Z', end: '2026-11-24T09:00:00Z' } },
  });
  expect(bad.status()).toBe(400);
  expect(await bad.json()).toEqual({ ok: false, error: { code: 'BAD_INPUT', message: 'period.end: must be after start', field: 'period.end' } });
  const injected = await page.request.post(`${host.url}/api/call/actions.update`, { data: { id: 1, patch: { title: 'x', owner_id: 1 } } });
  expect(injected.status()).toBe(400);
  expect((await injected.json()).error.message).toMatch(/owner_id/);
  const notJson = await page.request.post(`${host.url}/api/call/actions.create`, { headers: { 'content-type': 'application/json' }, data: '{"typeId":1,' });
  expect(notJson.status()).toBe(400);
  expect(count()).toEqual(before);
});

test('requests without the launch token are refused', async ({ browser, host }) => {
  const api = await playwrightRequest.newContext();
  const page = await api.get(`${host.url}/`);
  expect(page.status()).toBe(403);
  const call = await api.post(`${host.url}/api/call/session.login`, { data: { login: 'ADM', password: 'demo' } });
  expect(call.status()).toBe(401);
  expect(await call.json()).toEqual({ ok: false, error: { code: 'UNAUTHENTICATED', message: 'Open the link printed when the host started.' } });
  const forged = await api.get(`${host.url}/?launch=not-the-token`);
  expect(forged.status()).toBe(403);
  await api.dispose();

  const context = await browser.newContext();
  const tab = await context.newPage();
  await tab.goto(host.url);
  await expect(tab.locator('body')).toContainText('open the link printed in the terminal');
  await context.close();
});
