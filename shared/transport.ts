/**
 * What the three transports share: the reply envelope, the names they use on the wire, and a
 * builder that turns one `invoke` function into the typed API (one method per channel).
 * Pure TypeScript: no Node, Electron or DOM here.
 */
import { z } from 'zod';
import { channelNames, type ChannelName, type CrmApi, type EventName, type EventPayload } from './contract';
import { ErrorPayload } from './errors';

export const Reply = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: ErrorPayload }),
]);
export type Reply = z.infer<typeof Reply>;

/** Electron IPC channel for a contract channel (one `ipcMain.handle` each; no generic channel). */
export const ipcChannel = (name: ChannelName) => `crm:${name}` as const;
/** Electron IPC channel on which main pushes an event. */
export const ipcEvent = (name: EventName) => `crm-event:${name}` as const;

/** Browser host: `POST {HTTP_API_PREFIX}{channel}` with the JSON input as body. */
export const HTTP_API_PREFIX = '/api/call/';
/** Browser host: server-sent events, one `event:` per contract event name. */
export const HTTP_EVENTS_PATH = '/api/events';

export type Invoke = (channel: ChannelName, input: unknown) => Promise<unknown>;

export function buildApi(invoke: Invoke): CrmApi {
  const api: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const name of channelNames) api[name] = (input: unknown) => invoke(name, input ?? {});
  return api as unknown as CrmApi;
}

/** What the Electron preload exposes as `window.crm`, and what the HTTP client mirrors. */
export type CrmBridge = CrmApi & {
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};
