import type { ChannelName, Channels, EventName, EventPayload, Output, ParsedInput, SessionUser } from '../../shared/contract';
import type { Db } from './db/database';

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

/** One typed handler per channel; the core refuses to build without all of them. */
export type Handlers = { [K in ChannelName]: Handler<K> };

/** Declares a domain's handlers with their input/context types inferred from the contract. */
export function defineHandlers<K extends ChannelName>(handlers: { [P in K]: Handler<P> }): { [P in K]: Handler<P> } {
  return handlers;
}

export const nowIso = (ctx: { now: () => Date }) => ctx.now().toISOString();
