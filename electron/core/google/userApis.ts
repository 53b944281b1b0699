/**
 * A signed-in user's Google APIs for the syncs (Calendar and People share them): the sealed
 * refresh token opened from the secret store, the OAuth client, and the access token kept between
 * runs of this process — one cache for both syncs, since one token carries both scopes, so an
 * idle run costs no token refresh.
 */
import type { Credentials } from 'google-auth-library';
import { CrmError } from '../../../shared/errors';
import type { CoreServices } from '../context';
import type { Db } from '../db/database';
import { getGoogleAccount } from './accounts';
import { clientConfig, effectiveSettings, googleApis, oauthClient, type GoogleApis, type GoogleClientConfig } from './client';
import { MESSAGES } from './test';

const tokenCache = new WeakMap<CoreServices, Map<number, Credentials>>();

export interface UserApis {
  apis: GoogleApis;
  cfg: GoogleClientConfig;
  /** Remembers the access token for the next run of this process. */
  keepToken(): void;
}

/** A user's clients as last built, with what they were built from. */
interface Built {
  sealedRefreshToken: string;
  settings: string;
  refreshToken: string;
  cfg: GoogleClientConfig;
  apis: GoogleApis;
}

const builtApis = new WeakMap<CoreServices, Map<number, Built>>();

/**
 * The user's connection; a clear CrmError when it is missing. The clients are built once per user
 * and reused while the sealed refresh token and the client settings stay as they were (compared
 * sealed, as stored): opening both secrets and building the OAuth, Calendar and People clients cost
 * ~1 ms of every sync run, before its first request (bench/agenda.ts: an idle run has one request
 * and ~10 ms of our own work around it). Each open still starts from the kept access token, as a
 * new client did.
 */
export async function openUserApis(db: Db, services: CoreServices, userId: number): Promise<UserApis> {
  const account = getGoogleAccount(db, userId);
  if (!account?.sealedRefreshToken) {
    // Disconnected (Reset, another account): nothing of the old connection is kept.
    builtApis.get(services)?.delete(userId);
    throw new CrmError('CONFLICT', MESSAGES.notConnected);
  }
  let cache = tokenCache.get(services);
  if (!cache) tokenCache.set(services, (cache = new Map()));
  const store = cache;
  let perUser = builtApis.get(services);
  if (!perUser) builtApis.set(services, (perUser = new Map()));
  const settings = JSON.stringify(effectiveSettings(db, services));
  let built = perUser.get(userId);
  if (!built || built.sealedRefreshToken !== account.sealedRefreshToken || built.settings !== settings) {
    const refreshToken = await services.secrets.open(account.sealedRefreshToken).catch(() => null);
    if (!refreshToken) throw new CrmError('CONFLICT', MESSAGES.notConnected);
    const cfg = await clientConfig(db, services);
    const auth = oauthClient(cfg, undefined, { forceRefresh: true });
    auth.on('tokens', () => store.set(userId, { ...auth.credentials, refresh_token: refreshToken }));
    built = { sealedRefreshToken: account.sealedRefreshToken, settings, refreshToken, cfg, apis: googleApis(cfg, auth, { retry: false }) };
    perUser.set(userId, built);
  }
  const { apis, cfg, refreshToken } = built;
  const cached = store.get(userId);
  apis.auth.setCredentials(cached && cached.refresh_token === refreshToken ? cached : { refresh_token: refreshToken });
  return {
    apis,
    cfg,
    keepToken: () => {
      const c = apis.auth.credentials;
      if (c.access_token) store.set(userId, { ...c });
    },
  };
}
