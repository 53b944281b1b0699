/**
 * What the three transports share: the reply envelope, the names they use on the wire, and a
 * builder that turns one `invoke` function into the typed API (one method per channel).
 * Pure TypeScript: no Node, Electron or DOM here.
 */
import { z } from 'zod';
import { channelNames, type ChannelName, type CrmApi, type EventName, type EventPayload, type Input } from './contract';
import { CrmError, ErrorPayload } from './errors';

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

/** The result of a reply envelope, or its error thrown as a CrmError. */
export function unwrap(raw: unknown): unknown {
  const reply = Reply.safeParse(raw);
  if (!reply.success) throw new CrmError('INTERNAL', 'The app answered in an unexpected format.');
  if (!reply.data.ok) throw new CrmError(reply.data.error.code, reply.data.error.message, reply.data.error.field);
  return reply.data.result;
}

export function buildApi(invoke: Invoke): CrmApi {
  const api: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const name of channelNames) api[name] = (input: unknown) => invoke(name, input ?? {});
  return api as unknown as CrmApi;
}

/** What the Electron preload exposes as `window.crm`, and what the HTTP client mirrors. */
export type CrmBridge = CrmApi & {
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};

/**
 * What the Electron preload really exposes as `window.crm`: one method per channel returning the
 * reply envelope (errors cannot cross Electron's context bridge with their fields intact).
 * `bridgeFromPreload` turns it into a `CrmBridge`.
 */
export type PreloadApi = { [K in ChannelName]: (input: Input<K>) => Promise<Reply> } & {
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};

export function bridgeFromPreload(preload: PreloadApi): CrmBridge {
  const api = buildApi(async (channel, input) => unwrap(await (preload[channel] as (i: unknown) => Promise<Reply>)(input)));
  return Object.assign(api, { on: preload.on.bind(preload) }) as CrmBridge;
}
