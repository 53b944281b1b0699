import type { ChannelName, Channels, EventName, EventPayload, Output, ParsedInput, SessionUser } from '../../shared/contract';
import type { Db } from './db/database';
import type { Logger } from './log';
import type { SecretSealer } from './secrets';

export type Emit = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

interface BaseContext {
  readonly db: Db;
  /** Identifies the transport connection (a window, a browser, a CLI run) the call came from. */
  readonly connectionId: string;
  /** Events are delivered after the call's transaction has committed. */
  readonly emit: Emit;
  readonly now: () => Date;
}

export interface PublicContext extends BaseContext {
  readonly user: SessionUser | null;
  /** Binds (or, with null, unbinds) the connection to a user. */
  readonly setSessionUser: (user: SessionUser | null) => void;
}

export interface UserContext extends BaseContext {
  readonly user: SessionUser;
}

type ContextFor<K extends ChannelName> = Channels[K]['access'] extends 'public' ? PublicContext : UserContext;

/** Handlers are synchronous: the core runs each call in one SQLite transaction. */
export type Handler<K extends ChannelName> = (input: ParsedInput<K>, ctx: ContextFor<K>) => Output<K>;

/** One typed handler per synchronous channel (app.ts lists the asynchronous ones apart). */
export type Handlers<K extends ChannelName = ChannelName> = { [P in K]: Handler<P> };

/** Declares a domain's handlers with their input/context types inferred from the contract. */
export function defineHandlers<K extends ChannelName>(handlers: { [P in K]: Handler<P> }): { [P in K]: Handler<P> } {
  return handlers;
}

export const nowIso = (ctx: { now: () => Date }) => ctx.now().toISOString();

/** What the core needs from its host process, injected (never looked up). */
export interface CoreServices {
  readonly secrets: SecretSealer;
  /** Opens a URL in the user's browser (Electron: shell.openExternal; browser host: a new tab). */
  readonly openExternal: (url: string) => Promise<void>;
  readonly logger: Logger;
  /** Per-process Google options (the CLI's --google and --timeout; tests). */
  readonly google: GoogleServiceOptions;
}

export interface GoogleServiceOptions {
  /** Overrides the root URL stored in the settings for this process (CLI --google, CRM_GOOGLE_ROOT). */
  readonly rootUrlOverride?: string | null;
  /** How long a connection waits for the browser's redirect (default 5 minutes). */
  readonly connectTimeoutMs?: number;
}

export interface AsyncContext extends UserContext {
  readonly services: CoreServices;
  /** Delivers an event now, for work that goes on after the call returned (e.g. a consent in the browser). */
  readonly broadcast: Emit;
}

/**
 * Asynchronous handlers talk to the network; they are not wrapped in one transaction, so each
 * write they make must be its own `db.transaction(...)`, never spanning an `await`.
 */
export type AsyncHandler<K extends ChannelName> = (input: ParsedInput<K>, ctx: AsyncContext) => Promise<Output<K>>;

export function defineAsyncHandlers<K extends ChannelName>(handlers: { [P in K]: AsyncHandler<P> }): { [P in K]: AsyncHandler<P> } {
  return handlers;
}
