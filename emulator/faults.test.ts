/**
 * The "API not enabled" fault: Google answers 403 accessNotConfigured (SERVICE_DISABLED) when
 * the client's Cloud project has not enabled the API ("Handle API errors").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from './index';
import type { RunningEmulator } from './index';
import { people } from '@googleapis/people';
import { OAuth2Client } from 'google-auth-library';
import { ALL_SCOPES, CLIENT_ID, asAuth, failure, rawCalendar, reason, setup } from './testkit';

const ADA = 'ada@example.com';
let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator({ autoConsent: true });
  await setup(emu);
  await emu.createAccount({ email: ADA, calendars: ['Work'] });
});
afterAll(() => emu.close());

describe('accessNotConfigured fault', () => {
  it('answers 403 accessNotConfigured for the chosen API only, and rateLimitExceeded stays the default 403', async () => {
    // Fixed bearer tokens: nothing refreshes and retries behind the test's back.
    const { access_token } = await emu.mintTokens({ clientId: CLIENT_ID, email: ADA, scopes: ALL_SCOPES });
    const cal = rawCalendar(emu, access_token);
    const auth = new OAuth2Client();
    auth.setCredentials({ access_token });
    const ppl = people({ version: 'v1', auth: asAuth(auth), rootUrl: `${emu.url}/`, retry: false });
    await emu.fault({ type: 'error', status: 403, reason: 'accessNotConfigured', api: 'calendar', count: 1 });
    const f = await failure(cal.calendarList.list());
    expect(f.status).toBe(403);
    expect(reason(f)).toBe('accessNotConfigured');
    expect(f.body.error.message).toMatch(/Google Calendar API has not been used/);
    expect(f.body.error.details?.[0]?.reason).toBe('SERVICE_DISABLED');
    expect((await ppl.people.connections.list({ resourceName: 'people/me', personFields: 'names' })).status).toBe(200);

    await emu.fault({ type: 'error', status: 403, reason: 'accessNotConfigured', api: 'people', count: 1 });
    const p = await failure(ppl.people.connections.list({ resourceName: 'people/me', personFields: 'names' }));
    expect(reason(p)).toBe('accessNotConfigured');
    expect(p.body.error.message).toMatch(/People API/);

    await emu.fault({ type: 'error', status: 403, api: 'calendar', count: 1 });
    expect(reason(await failure(cal.calendarList.list()))).toBe('rateLimitExceeded');
  });
});
