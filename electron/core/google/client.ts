/**
 * Builds the official Google clients from the CRM file's client settings (FTC019 §3.1): an
 * OAuth2Client (google-auth-library) and the Calendar v3 / People v1 clients, pointed at Google
 * itself or at another root (the emulator) — BRIEF §7, "The Node clients".
 */
import { calendar, type calendar_v3 } from '@googleapis/calendar';
import { people, type people_v1 } from '@googleapis/people';
import { OAuth2Client } from 'google-auth-library';
import { CrmError } from '../../../shared/errors';
import type { CoreServices } from '../context';
import type { Db } from '../db/database';
import { getGoogleClientSettings, type GoogleClientSettings } from './settings';

export interface GoogleEndpoints {
  authUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  userinfoUrl: string;
  /** undefined: each API client's own default root (www.googleapis.com, people.googleapis.com). */
  apiRoot: string | undefined;
}

/**
 * Google's endpoints for installed apps ("OAuth 2.0 for Mobile & Desktop Apps": authorization
 * https://accounts.google.com/o/oauth2/v2/auth, token https://oauth2.googleapis.com/token,
 * revocation https://oauth2.googleapis.com/revoke), or the same paths under another root.
 */
export function endpointsFor(root: string | null): GoogleEndpoints {
  if (root === null) {
    return {
      authUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenUrl: 'https://oauth2.googleapis.com/token',
      revokeUrl: 'https://oauth2.googleapis.com/revoke',
      userinfoUrl: 'https://www.googleapis.com/oauth2/v3/userinfo',
      apiRoot: undefined,
    };
  }
  const r = root.replace(/\/+$/, '');
  return { authUrl: `${r}/o/oauth2/v2/auth`, tokenUrl: `${r}/token`, revokeUrl: `${r}/revoke`, userinfoUrl: `${r}/oauth2/v3/userinfo`, apiRoot: `${r}/` };
}

/** The settings in force for this process: the CLI's --google overrides the stored root. */
export function effectiveSettings(db: Db, services: CoreServices): GoogleClientSettings {
  const s = getGoogleClientSettings(db);
  const override = services.google.rootUrlOverride;
  return override === undefined || override === null ? s : { ...s, rootUrl: override };
}

export interface GoogleClientConfig {
  clientId: string;
  clientSecret: string;
  endpoints: GoogleEndpoints;
  publishing: GoogleClientSettings['publishing'];
}

/** The client ID and opened secret, or a clear refusal when ADM has not set them. */
export async function clientConfig(db: Db, services: CoreServices): Promise<GoogleClientConfig> {
  const s = effectiveSettings(db, services);
  if (!s.clientId || !s.sealedSecret) {
    throw new CrmError('CONFLICT', 'The Google client ID and secret are not set: ADM must enter them in the preferences (Authentication) first.');
  }
  let clientSecret: string;
  try {
    clientSecret = await services.secrets.open(s.sealedSecret);
  } catch {
    throw new CrmError('CONFLICT', 'The Google client secret cannot be decrypted on this machine: ADM must enter it again.');
  }
  return { clientId: s.clientId, clientSecret, endpoints: endpointsFor(s.rootUrl), publishing: s.publishing };
}

/**
 * `forceRefresh`: refresh and retry once on a 401/403 — right for long-lived sync clients (the
 * library computes expiry from the real clock), wrong for Test, which must see the first answer.
 */
export function oauthClient(cfg: GoogleClientConfig, redirectUri?: string, opts: { forceRefresh?: boolean } = {}): OAuth2Client {
  return new OAuth2Client({
    clientId: cfg.clientId,
    clientSecret: cfg.clientSecret,
    redirectUri,
    endpoints: { oauth2AuthBaseUrl: cfg.endpoints.authUrl, oauth2TokenUrl: cfg.endpoints.tokenUrl, oauth2RevokeUrl: cfg.endpoints.revokeUrl },
    forceRefreshOnFailure: opts.forceRefresh ?? false,
  });
}

export interface GoogleApis {
  auth: OAuth2Client;
  cal: calendar_v3.Calendar;
  ppl: people_v1.People;
}

/**
 * `retry: false` turns off the clients' own retries of 429/5xx (gaxios): Test must report what
 * Google answered, not hide it behind retries.
 */
export function googleApis(cfg: GoogleClientConfig, auth: OAuth2Client, opts: { retry: boolean }): GoogleApis {
  // @googleapis/* bundle their own google-auth-library: same class at run time, another type.
  const a = auth as unknown as calendar_v3.Options['auth'] & people_v1.Options['auth'];
  const root = cfg.endpoints.apiRoot === undefined ? {} : { rootUrl: cfg.endpoints.apiRoot };
  return {
    auth,
    cal: calendar({ version: 'v3', auth: a, retry: opts.retry, ...root }),
    ppl: people({ version: 'v1', auth: a, retry: opts.retry, ...root }),
  };
}
