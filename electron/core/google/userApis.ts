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
import { clientConfig, googleApis, oauthClient, type GoogleApis, type GoogleClientConfig } from './client';
import { MESSAGES } from './test';

const tokenCache = new WeakMap<CoreServices, Map<number, Credentials>>();

export interface UserApis {
  apis: GoogleApis;
  cfg: GoogleClientConfig;
  /** Remembers the access token for the next run of this process. */
  keepToken(): void;
}

/** The user's connection; a clear CrmError when it is missing. */
export async function openUserApis(db: Db, services: CoreServices, userId: number): Promise<UserApis> {
  const account = getGoogleAccount(db, userId);
  if (!account?.sealedRefreshToken) throw new CrmError('CONFLICT', MESSAGES.notConnected);
  const refreshToken = await services.secrets.open(account.sealedRefreshToken).catch(() => null);
  if (!refreshToken) throw new CrmError('CONFLICT', MESSAGES.notConnected);
  const cfg = await clientConfig(db, services);
  const auth = oauthClient(cfg, undefined, { forceRefresh: true });
  let cache = tokenCache.get(services);
  if (!cache) tokenCache.set(services, (cache = new Map()));
  const store = cache;
  const cached = store.get(userId);
  auth.setCredentials(cached && cached.refresh_token === refreshToken ? cached : { refresh_token: refreshToken });
  auth.on('tokens', () => store.set(userId, { ...auth.credentials, refresh_token: refreshToken }));
  const apis = googleApis(cfg, auth, { retry: false });
  return {
    apis,
    cfg,
    keepToken: () => {
      const c = apis.auth.credentials;
      if (c.access_token) store.set(userId, { ...c });
    },
  };
}
