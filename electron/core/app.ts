/**
 * The core: implements every contract channel once, in plain Node. Transports (Electron IPC,
 * the browser host, the CLI) hand it a connection id, a channel name and an untrusted input;
 * it checks the session and the channel's access, validates the input, runs the handler in one
 * transaction, validates the output, and only then delivers the events the handler raised.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { channels, events, isChannelName, type ChannelName, type EventName, type EventPayload, type Output, type SessionUser } from '../../shared/contract';
import { CrmError, describeZodError, type ErrorPayload } from '../../shared/errors';
import { actionsHandlers } from './actions/handlers';
import { contactsHandlers } from './contacts/handlers';
import type { AsyncContext, CoreServices, Handlers, PublicContext } from './context';
import type { Db } from './db/database';
import { googleHandlers } from './google/handlers';
import { agendaSyncAsyncHandlers, agendaSyncHandlers } from './sync/agenda/handlers';
import { contactsSyncAsyncHandlers, contactsSyncHandlers } from './sync/contacts/handlers';
import { createLogger, type Logger } from './log';
import { noSecretStorage } from './secrets';
import { startAutomaticSync, type AutomaticSync } from './sync/agenda/scheduler';
import { sessionHandlers } from './session/handlers';
import { settingsHandlers } from './settings/handlers';
import { syncHandlers } from './sync/handlers';
import { usersHandlers } from './users/handlers';
import { findUserByLogin, getUser, toSessionUser } from './users/store';

/** Channels that talk to the network. Every other channel runs synchronously in one transaction. */
const asyncHandlers = { ...googleHandlers, ...agendaSyncAsyncHandlers, ...contactsSyncAsyncHandlers };
type AsyncChannelName = keyof typeof asyncHandlers;
export type SyncChannelName = Exclude<ChannelName, AsyncChannelName>;

const handlers: Handlers<SyncChannelName> = {
  ...sessionHandlers,
  ...usersHandlers,
  ...actionsHandlers,
  ...contactsHandlers,
  ...syncHandlers,
  ...settingsHandlers,
  ...agendaSyncHandlers,
  ...contactsSyncHandlers,
};

function isAsyncChannel(name: ChannelName): name is AsyncChannelName {
  return Object.prototype.hasOwnProperty.call(asyncHandlers, name);
}

export type EventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

export interface CoreOptions {
  db: Db;
  logger?: Logger;
  now?: () => Date;
  /** What the host process provides (secret storage, opening URLs); see CoreServices. */
  services?: Partial<Omit<CoreServices, 'logger'>>;
}

export type CallResult = { ok: true; result: unknown } | { ok: false; error: ErrorPayload };

function unwrapResult(reply: CallResult): unknown {
  if (!reply.ok) throw new CrmError(reply.error.code, reply.error.message, reply.error.field);
  return reply.result;
}

export class Core {
  readonly db: Db;
  private readonly logger: Logger;
  private readonly now: () => Date;
  readonly services: CoreServices;
  private readonly sessions = new Map<string, number>();
  private readonly listeners = new Set<EventListener>();

  constructor(options: CoreOptions) {
    this.db = options.db;
    this.logger = options.logger ?? createLogger();
    this.now = options.now ?? (() => new Date());
    this.services = {
      secrets: options.services?.secrets ?? noSecretStorage,
      openExternal: options.services?.openExternal ?? (() => Promise.reject(new Error('This process cannot open a browser.'))),
      logger: this.logger,
      google: options.services?.google ?? {},
    };
  }

  /** A fresh connection id for a transport client (a window, a browser, a CLI run). */
  newConnection(): string {
    return randomUUID();
  }

  /** Ends a connection's session (window closed, browser cookie expired). */
  closeConnection(connectionId: string): void {
    this.sessions.delete(connectionId);
  }

  /**
   * Opens a session without a password. Only for transports whose caller already proved who
   * they are to the operating system: the CLI, run by the owner of the database file.
   */
  impersonate(connectionId: string, login: string): SessionUser {
    const row = findUserByLogin(this.db, login);
    if (!row) throw new CrmError('NOT_FOUND', `No active user has the login "${login}".`);
    this.sessions.set(connectionId, row.id);
    return toSessionUser(row);
  }

  sessionUser(connectionId: string): SessionUser | null {
    const id = this.sessions.get(connectionId);
    if (id === undefined) return null;
    try {
      return toSessionUser(getUser(this.db, id));
    } catch {
      this.sessions.delete(connectionId);
      return null;
    }
  }

  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs any channel (what transports use); never throws: every failure becomes an error payload. */
  async call(connectionId: string, channel: string, rawInput: unknown): Promise<CallResult> {
    try {
      if (isChannelName(channel) && isAsyncChannel(channel)) return { ok: true, result: await this.dispatchAsync(connectionId, channel, rawInput) };
      return { ok: true, result: this.dispatch(connectionId, channel, rawInput) };
    } catch (error) {
      return { ok: false, error: this.toErrorPayload(channel, error) };
    }
  }

  /** Runs any channel and returns its typed output; throws CrmError. */
  async invoke<K extends ChannelName>(connectionId: string, channel: K, input: unknown): Promise<Output<K>> {
    return unwrapResult(await this.call(connectionId, channel, input)) as Output<K>;
  }

  /** Runs a synchronous channel (every channel but the network ones); never throws. */
  callSync(connectionId: string, channel: string, rawInput: unknown): CallResult {
    try {
      return { ok: true, result: this.dispatch(connectionId, channel, rawInput) };
    } catch (error) {
      return { ok: false, error: this.toErrorPayload(channel, error) };
    }
  }

  /** Runs a synchronous channel and returns its typed output; throws CrmError. */
  invokeSync<K extends SyncChannelName>(connectionId: string, channel: K, input: unknown): Output<K> {
    return unwrapResult(this.callSync(connectionId, channel, input)) as Output<K>;
  }

  /**
   * Starts the automatic push of agenda changes (./sync/agenda/scheduler.ts). Transports that
   * serve a user call it (Electron main, the browser host); tests start it when they need it.
   */
  startAutomaticSync(options: { delayMs?: number; retryMs?: number } = {}): AutomaticSync {
    return startAutomaticSync(
      { db: this.db, services: this.services, now: this.now, broadcast: (event, payload) => this.deliver(event, payload), onEvent: (listener) => this.onEvent(listener) },
      options,
    );
  }

  /** Delivers an event raised by work that goes on after its call returned. */
  broadcast<E extends EventName>(event: E, payload: EventPayload<E>): void {
    this.deliver(event, payload);
  }

  /** Session, access and input checks shared by both paths. */
  private admit(connectionId: string, channel: string, rawInput: unknown) {
    if (!isChannelName(channel)) throw new CrmError('UNKNOWN_CHANNEL', `Unknown channel "${channel}".`);
    const def = channels[channel];
    const user = this.sessionUser(connectionId);
    if (def.access !== 'public' && !user) throw new CrmError('UNAUTHENTICATED', 'Please log in first.');
    if (def.access === 'admin' && !user?.isAdmin) throw new CrmError('FORBIDDEN', 'Only the administrator (ADM) may do this.');
    const parsed = def.input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      const { message, field } = describeZodError(parsed.error);
      throw new CrmError('BAD_INPUT', message, field);
    }
    return { channel, def, user, input: parsed.data as unknown };
  }

  private dispatch(connectionId: string, channel: string, rawInput: unknown): unknown {
    const admitted = this.admit(connectionId, channel, rawInput);
    if (isAsyncChannel(admitted.channel)) {
      throw new CrmError('INTERNAL', `Channel "${channel}" talks to the network: call it with call(), not callSync().`);
    }
    const pending: { event: EventName; payload: unknown }[] = [];
    const ctx: PublicContext = {
      db: this.db,
      connectionId,
      user: admitted.user,
      now: this.now,
      emit: (event, payload) => void pending.push({ event, payload }),
      setSessionUser: (next) => {
        if (next) this.sessions.set(connectionId, next.id);
        else this.sessions.delete(connectionId);
      },
    };
    const handler = handlers[admitted.channel] as (input: unknown, ctx: PublicContext) => unknown;
    // The whole call is one transaction: a handler that fails half-way leaves nothing behind.
    const result = this.db.transaction(() => admitted.def.output.parse(handler(admitted.input, ctx)))();
    for (const { event, payload } of pending) this.deliver(event, payload);
    return result;
  }

  private async dispatchAsync(connectionId: string, channel: AsyncChannelName, rawInput: unknown): Promise<unknown> {
    const admitted = this.admit(connectionId, channel, rawInput);
    const user = admitted.user;
    if (!user) throw new CrmError('UNAUTHENTICATED', 'Please log in first.');
    const pending: { event: EventName; payload: unknown }[] = [];
    const ctx: AsyncContext = {
      db: this.db,
      connectionId,
      user,
      now: this.now,
      services: this.services,
      emit: (event, payload) => void pending.push({ event, payload }),
      broadcast: (event, payload) => this.deliver(event, payload),
    };
    const handler = asyncHandlers[channel] as (input: unknown, ctx: AsyncContext) => Promise<unknown>;
    const result = admitted.def.output.parse(await handler(admitted.input, ctx));
    for (const { event, payload } of pending) this.deliver(event, payload);
    return result;
  }

  private deliver(event: EventName, payload: unknown): void {
    const checked = events[event].parse(payload);
    for (const listener of this.listeners) {
      try {
        listener(event, checked as never);
      } catch (error) {
        this.logger.log('error', 'event listener failed', { event, error: String(error) });
      }
    }
  }

  private toErrorPayload(channel: string, error: unknown): ErrorPayload {
    if (error instanceof CrmError) return error.toPayload();
    if (error instanceof z.ZodError) {
      this.logger.log('error', 'invalid data read or produced by the core', { channel, issues: error.issues.slice(0, 3) });
      return { code: 'INTERNAL', message: 'The CRM file holds data this version cannot read. Nothing was changed.' };
    }
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT')) {
      return { code: 'CONFLICT', message: 'This change conflicts with existing data and was not saved.' };
    }
    if (code === 'SQLITE_BUSY') {
      return { code: 'CONFLICT', message: 'The CRM file is busy; try again in a moment.' };
    }
    this.logger.log('error', 'unexpected failure', { channel, error: error instanceof Error ? error.message : String(error) });
    return { code: 'INTERNAL', message: 'Something went wrong; nothing was changed. The details are in the log.' };
  }
}
