/**
 * The contract: the single source of truth between the core and every client.
 * Each channel (`domain.verb`) has a zod schema for its input and output and the access it
 * requires; each pushed event (`onX`) has a payload schema. Types below are derived, never
 * written twice. The Electron preload, the browser host and the CLI all carry exactly this map.
 */
import { z } from 'zod';
import type { ChannelDef } from './common';
import { actionsChannels } from './actions';
import { agendaSyncChannels, agendaSyncEvents } from './agendaSync';
import { contactsChannels } from './contacts';
import { contactsSyncChannels, contactsSyncEvents } from './contactsSync';
import { googleChannels, googleEvents } from './google';
import { sessionChannels } from './session';
import { settingsChannels } from './settings';
import { syncChannels } from './sync';
import { usersChannels, usersEvents } from './users';
import { Id } from './common';

export const channels = {
  ...sessionChannels,
  ...usersChannels,
  ...actionsChannels,
  ...contactsChannels,
  ...syncChannels,
  ...settingsChannels,
  ...googleChannels,
  ...agendaSyncChannels,
  ...contactsSyncChannels,
} as const satisfies Record<string, ChannelDef>;

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
/** What a caller sends (defaults may be omitted). */
export type Input<K extends ChannelName> = z.input<Channels[K]['input']>;
/** What a handler receives once the input is parsed (defaults filled in). */
export type ParsedInput<K extends ChannelName> = z.output<Channels[K]['input']>;
export type Output<K extends ChannelName> = z.output<Channels[K]['output']>;

export const channelNames = Object.keys(channels) as ChannelName[];

export function isChannelName(name: string): name is ChannelName {
  return Object.prototype.hasOwnProperty.call(channels, name);
}

/** Events the core pushes to clients. */
export const events = {
  /** Actions of these owners changed: views showing them should reload. */
  onActionsChanged: z.object({ ownerIds: z.array(Id) }),
  /** These contacts changed. */
  onContactsChanged: z.object({ ids: z.array(Id) }),
  ...usersEvents,
  ...googleEvents,
  ...agendaSyncEvents,
  ...contactsSyncEvents,
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;
export const eventNames = Object.keys(events) as EventName[];

export function isEventName(name: string): name is EventName {
  return Object.prototype.hasOwnProperty.call(events, name);
}

/** The client-side API every transport provides: one method per channel. */
export type CrmApi = {
  [K in ChannelName]: (input: Input<K>) => Promise<Output<K>>;
};

export * from './common';
export * from './actions';
export * from './agendaSync';
export * from './contacts';
export * from './contactsSync';
export * from './google';
export * from './session';
export * from './settings';
export * from './sync';
export * from './users';
