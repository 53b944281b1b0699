/**
 * The google.* channels (shared/contract/google.ts). Rights: ADM sets the client; a user
 * connects, tests and resets themself, ADM may do it for anyone; nobody else. No reply ever
 * carries a token or the client secret, only whether they are set.
 */
import type { ConnectionStatus, GoogleClientStatus } from '../../../shared/contract';
import { CrmError } from '../../../shared/errors';
import { defineAsyncHandlers, type AsyncContext, type CoreServices } from '../context';
import type { Db } from '../db/database';
import { getSyncPrefs } from '../sync/prefs';
import { getUser } from '../users/store';
import { getGoogleAccount } from './accounts';
import { effectiveSettings } from './client';
import { cancelFlow, completeManualFlow, flowOwner, pendingFlowOf, startFlow } from './oauth';
import { resetGoogle } from './reset';
import { putGoogleClientSettings } from './settings';
import { runGoogleTest } from './test';

function clientStatus(db: Db, services: CoreServices): GoogleClientStatus {
  const s = effectiveSettings(db, services);
  return {
    clientId: s.clientId,
    secretSet: s.sealedSecret !== null,
    publishing: s.publishing,
    rootUrl: s.rootUrl,
    secretStorage: { kind: services.secrets.kind, warning: services.secrets.warning },
  };
}

/** The user acted on: oneself, or anyone for ADM. */
function target(ctx: AsyncContext, userId: number | undefined): number {
  const id = userId ?? ctx.user.id;
  if (id !== ctx.user.id && !ctx.user.isAdmin) throw new CrmError('FORBIDDEN', 'Only the user themself or ADM may manage a Google connection.');
  getUser(ctx.db, id); // NOT_FOUND for an unknown or inactive user
  return id;
}

export function connectionStatus(ctx: AsyncContext, userId: number): ConnectionStatus {
  const prefs = getSyncPrefs(ctx.db, userId, ctx.now().toISOString());
  const account = getGoogleAccount(ctx.db, userId);
  const connected = account !== null && account.sealedRefreshToken !== null;
  return {
    userId,
    loginEmail: prefs.googleEmail,
    connected,
    accountEmail: account?.email ?? null,
    connectedAt: account?.connectedAt ?? null,
    scopes: account?.scopes ?? [],
    pending: pendingFlowOf(ctx.services, userId),
  };
}

function ownFlow(ctx: AsyncContext, flowId: string): number | null {
  const owner = flowOwner(ctx.services, flowId);
  if (owner !== null && owner !== ctx.user.id && !ctx.user.isAdmin) throw new CrmError('FORBIDDEN', 'This connection attempt is not yours.');
  return owner;
}

export const googleHandlers = defineAsyncHandlers({
  'google.getClient': (_input, ctx) => Promise.resolve(clientStatus(ctx.db, ctx.services)),

  'google.setClient': async (input, ctx) => {
    const patch: Parameters<typeof putGoogleClientSettings>[1] = {};
    if (input.clientId !== undefined) patch.clientId = input.clientId;
    if (input.publishing !== undefined) patch.publishing = input.publishing;
    if (input.rootUrl !== undefined) patch.rootUrl = input.rootUrl;
    if (input.clientSecret !== undefined) {
      // Sealed before it reaches the database; an empty string clears it.
      patch.sealedSecret = input.clientSecret === '' ? null : await ctx.services.secrets.seal(input.clientSecret);
    }
    putGoogleClientSettings(ctx.db, patch);
    ctx.services.logger.log('info', 'google client settings changed', { fields: Object.keys(patch) });
    return clientStatus(ctx.db, ctx.services);
  },

  'google.connection': (input, ctx) => Promise.resolve(connectionStatus(ctx, target(ctx, input.userId))),

  'google.connect': async (input, ctx) => {
    const userId = target(ctx, input.userId);
    const prefs = getSyncPrefs(ctx.db, userId, ctx.now().toISOString());
    return startFlow(ctx, userId, input.mode, prefs.googleEmail.trim());
  },

  'google.completeManual': async (input, ctx) => {
    const owner = ownFlow(ctx, input.flowId);
    if (owner === null) throw new CrmError('NOT_FOUND', 'This connection attempt has ended (done, cancelled or timed out): start a new one.');
    const result = await completeManualFlow(ctx.services, input.flowId, input.pasted);
    if (result.outcome !== 'connected') throw new CrmError('CONFLICT', result.message ?? 'The connection failed.');
    return connectionStatus(ctx, owner);
  },

  'google.cancelConnect': (input, ctx) => {
    ownFlow(ctx, input.flowId);
    return Promise.resolve({ cancelled: cancelFlow(ctx.services, input.flowId) });
  },

  'google.test': (input, ctx) => runGoogleTest(ctx, target(ctx, input.userId)),

  'google.reset': async (input, ctx) => {
    const userId = target(ctx, input.userId);
    const r = await resetGoogle(ctx, userId, input.scope, input.inGoogle);
    return { ...r, connection: connectionStatus(ctx, userId) };
  },
});
