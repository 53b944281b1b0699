/**
 * The renderer's only door to the core. In Electron the preload exposes `window.crm`; in a plain
 * browser (the browser host) the same `CrmBridge` is built over HTTP: `POST /api/call/<channel>`
 * answered with a `Reply`, and server-sent events on `/api/events`. The session is an HttpOnly
 * cookie the renderer never sees.
 */
import { channelNames, type EventName, type EventPayload } from '../../../shared/contract';
import { CrmError } from '../../../shared/errors';
import { HTTP_API_PREFIX, HTTP_EVENTS_PATH, Reply, bridgeFromPreload, buildApi, type CrmBridge, type PreloadApi } from '../../../shared/transport';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a plain browser. */
    crm?: PreloadApi;
  }
}

/**
 * Turns whatever a call threw into a `CrmError`. Both transports carry the core's errors in a
 * reply envelope (code, message, field intact); anything else is a local failure.
 */
export function toCrmError(error: unknown): CrmError {
  if (error instanceof CrmError) return error;
  return new CrmError('INTERNAL', error instanceof Error ? error.message : String(error));
}

/** Network failure (host down, connection refused): not a CrmError from the core. */
export class NetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetworkError';
  }
}

type Listener = (payload: unknown) => void;

function httpBridge(): CrmBridge {
  const api = buildApi(async (channel, input) => {
    let response: Response;
    try {
      response = await fetch(HTTP_API_PREFIX + channel, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input ?? {}),
      });
    } catch (error) {
      throw new NetworkError(error instanceof Error ? error.message : String(error));
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new CrmError('INTERNAL', `HTTP ${response.status} without a JSON reply`);
    }
    const reply = Reply.safeParse(body);
    if (!reply.success) throw new CrmError('INTERNAL', `HTTP ${response.status}: malformed reply`);
    if (!reply.data.ok) {
      const { code, message, field } = reply.data.error;
      throw new CrmError(code, message, field);
    }
    return reply.data.result;
  });

  // One EventSource, opened with the first listener and closed with the last (it needs the session
  // cookie, so it is only opened once the shell is shown after login).
  const listeners = new Map<EventName, Set<Listener>>();
  let source: EventSource | null = null;
  let retry: ReturnType<typeof setTimeout> | null = null;
  const attached = new Set<EventName>();

  const total = () => [...listeners.values()].reduce((n, set) => n + set.size, 0);
  const dispatch = (name: EventName) => (message: MessageEvent) => {
    let payload: unknown;
    try {
      payload = JSON.parse(String(message.data));
    } catch {
      return;
    }
    for (const listener of [...(listeners.get(name) ?? [])]) listener(payload);
  };
  const open = () => {
    if (source || typeof EventSource === 'undefined') return;
    source = new EventSource(HTTP_EVENTS_PATH, { withCredentials: true });
    attached.clear();
    for (const name of listeners.keys()) attach(name);
    source.onerror = () => {
      // The browser retries by itself unless the server refused the stream (e.g. 401).
      if (source && source.readyState === EventSource.CLOSED) {
        source = null;
        if (!retry) retry = setTimeout(() => {
          retry = null;
          if (total() > 0) open();
        }, 5000);
      }
    };
  };
  const attach = (name: EventName) => {
    if (!source || attached.has(name)) return;
    source.addEventListener(name, dispatch(name) as EventListener);
    attached.add(name);
  };
  const close = () => {
    source?.close();
    source = null;
    attached.clear();
    if (retry) clearTimeout(retry);
    retry = null;
  };

  const on = <E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): (() => void) => {
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    const l = listener as Listener;
    set.add(l);
    open();
    attach(event);
    return () => {
      set.delete(l);
      if (total() === 0) close();
    };
  };

  return Object.assign(api, { on }) as CrmBridge;
}

let unauthenticatedHandler: (() => void) | null = null;

/** Called when any call fails with UNAUTHENTICATED (expired session): the app goes back to login. */
export function onUnauthenticated(handler: () => void): void {
  unauthenticatedHandler = handler;
}

function withErrorNormalisation(inner: CrmBridge): CrmBridge {
  const wrapped: Record<string, unknown> = {};
  for (const name of channelNames) {
    const call = (inner as unknown as Record<string, (input: unknown) => Promise<unknown>>)[name];
    wrapped[name] = async (input: unknown) => {
      if (!call) throw new CrmError('UNKNOWN_CHANNEL', `no such channel: ${name}`);
      try {
        return await call(input ?? {});
      } catch (error) {
        if (error instanceof NetworkError) throw error;
        const crmError = toCrmError(error);
        if (crmError.code === 'UNAUTHENTICATED' && !name.startsWith('session.')) unauthenticatedHandler?.();
        throw crmError;
      }
    };
  }
  wrapped.on = inner.on.bind(inner);
  return wrapped as unknown as CrmBridge;
}

export const bridge: CrmBridge = withErrorNormalisation(
  typeof window !== 'undefined' && window.crm ? bridgeFromPreload(window.crm) : httpBridge(),
);

export const transportKind: 'electron' | 'http' = typeof window !== 'undefined' && window.crm ? 'electron' : 'http';
