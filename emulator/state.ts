/**
 * The emulator's whole state: plain JSON so that `--data DIR` can persist it as one file.
 */
import { randomBytes } from 'node:crypto';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export interface ClientRec {
  clientId: string;
  clientSecret: string;
  publishing: 'testing' | 'production';
}

export interface AccountRec {
  email: string;
  name: string;
  testUser: boolean;
  /** Calendar ids owned by the account; the first is the primary one (its id is the e-mail). */
  calendars: string[];
}

export interface CalendarRec {
  id: string;
  owner: string;
  summary: string;
  description: string;
  timeZone: string;
  colorId: string;
  primary: boolean;
  etagSeq: number;
}

export interface EventRec {
  calendarId: string;
  /** The stored resource, without `etag` (computed from `seq`). */
  data: JsonObject;
  /** Global sequence number of the last change: drives ETags and sync tokens. */
  seq: number;
  /** Order of creation, for stable paging. */
  order: number;
}

export interface ContactRec {
  resourceName: string;
  owner: string;
  person: JsonObject;
  seq: number;
  order: number;
  deleted: boolean;
  updateTime: number;
}

export interface AuthCodeRec {
  code: string;
  clientId: string;
  email: string;
  scopes: string[];
  redirectUri: string;
  challenge: string | null;
  challengeMethod: string | null;
  expiresAt: number;
  used: boolean;
  /** Tokens minted from this code: revoked if the code is replayed (RFC 6749 §4.1.2). */
  issued: string[];
}

export interface RefreshTokenRec {
  token: string;
  clientId: string;
  email: string;
  scopes: string[];
  issuedAt: number;
  expiresAt: number | null;
  revoked: boolean;
}

export interface AccessTokenRec {
  token: string;
  clientId: string;
  email: string;
  scopes: string[];
  expiresAt: number;
  refreshToken: string | null;
  revoked: boolean;
}

export interface State {
  version: 1;
  secret: string;
  seq: number;
  order: number;
  clockOffsetMs: number;
  clients: Record<string, ClientRec>;
  accounts: Record<string, AccountRec>;
  calendars: Record<string, CalendarRec>;
  /** calendarId → eventId → record */
  events: Record<string, Record<string, EventRec>>;
  /** owner e-mail → resourceName → record */
  contacts: Record<string, Record<string, ContactRec>>;
  codes: Record<string, AuthCodeRec>;
  refreshTokens: Record<string, RefreshTokenRec>;
  accessTokens: Record<string, AccessTokenRec>;
  /** Bumped to invalidate every sync token of an account (fault injection). */
  syncEpoch: Record<string, number>;
}

export function emptyState(): State {
  return {
    version: 1,
    secret: randomBytes(16).toString('hex'),
    seq: 1000,
    order: 0,
    clockOffsetMs: 0,
    clients: {},
    accounts: {},
    calendars: {},
    events: {},
    contacts: {},
    codes: {},
    refreshTokens: {},
    accessTokens: {},
    syncEpoch: {},
  };
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** base32hex lowercase characters (a-v, 0-9): the alphabet of Calendar event ids. */
export function randomEventId(): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuv';
  const buf = randomBytes(26);
  let s = '';
  for (const b of buf) s += alphabet[b % 32];
  return s;
}

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString();
}
