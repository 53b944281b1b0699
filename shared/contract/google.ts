/**
 * Connecting users to Google (FTC019 §3.1, §3.2, §3.5; BRIEF §2). Tokens and the client secret
 * never appear here: the renderer only learns whether they are set.
 */
import { z } from 'zod';
import { Empty, Id, IsoDateTime, channel } from './common';
import { Publishing } from './settings';

/** How secrets are kept at rest on this machine. */
export const SecretStorageKind = z.enum(['electron-safe-storage', 'os-keyring', 'key-file']);

export const GoogleClientStatus = z.object({
  clientId: z.string(),
  /** The secret is write-only: clients see whether it is set, never its value. */
  secretSet: z.boolean(),
  publishing: Publishing,
  /** null: Google itself; otherwise e.g. the emulator's URL. */
  rootUrl: z.string().nullable(),
  secretStorage: z.object({ kind: SecretStorageKind, warning: z.string().nullable() }),
});
export type GoogleClientStatus = z.infer<typeof GoogleClientStatus>;

export const ConnectMode = z.enum(['browser', 'manual']);

export const PendingConnection = z.object({
  flowId: z.string(),
  mode: ConnectMode,
  /** The consent page to open (shown to copy in manual mode). */
  consentUrl: z.string(),
  startedAt: IsoDateTime,
  expiresAt: IsoDateTime,
});
export type PendingConnection = z.infer<typeof PendingConnection>;

export const ConnectionStatus = z.object({
  userId: Id,
  /** The Google login e-mail entered in the user's preferences. */
  loginEmail: z.string(),
  connected: z.boolean(),
  /** The account that granted access (checked against loginEmail). */
  accountEmail: z.string().nullable(),
  connectedAt: IsoDateTime.nullable(),
  scopes: z.array(z.string()),
  pending: PendingConnection.nullable(),
});
export type ConnectionStatus = z.infer<typeof ConnectionStatus>;

/**
 * What the Test button checks, in order. Each failing check carries a stable code the UI
 * translates (the seed's messages, FTC019 §3.5.2) and an English message for the CLI and logs.
 */
export const TestCheckId = z.enum([
  'client',
  'connected',
  'token',
  'email',
  'calendarApi',
  'calendar',
  'contacts',
  'clock',
]);
export type TestCheckId = z.infer<typeof TestCheckId>;

export const TestProblem = z.enum([
  'CLIENT_NOT_SET',
  'NOT_CONNECTED',
  'INVALID_GRANT',
  'INVALID_CLIENT',
  'ACCESS_DENIED',
  'EMAIL_MISMATCH',
  'CALENDAR_API_DISABLED',
  'NO_CALENDAR_ON_ACCOUNT',
  'CALENDAR_NOT_SET',
  'CALENDAR_UNKNOWN',
  'CONTACTS_API_DISABLED',
  'QUOTA_EXCEEDED',
  'CLOCK_SKEW',
  'NETWORK',
  'GOOGLE_ERROR',
]);
export type TestProblem = z.infer<typeof TestProblem>;

export const TestCheck = z.object({
  id: TestCheckId,
  status: z.enum(['pass', 'fail', 'warn', 'skipped']),
  problem: TestProblem.nullable(),
  /** Values the message needs: calendar name, the account's calendars, e-mails, minutes… */
  params: z.record(z.string(), z.union([z.string(), z.number(), z.array(z.string())])),
  /** English sentence for the CLI and logs; the UI translates `problem` instead. */
  message: z.string(),
});
export type TestCheck = z.infer<typeof TestCheck>;

export const TestReport = z.object({ userId: Id, ok: z.boolean(), checkedAt: IsoDateTime, checks: z.array(TestCheck) });
export type TestReport = z.infer<typeof TestReport>;

const ForUser = z.object({ userId: Id.optional() }).strict();

export const googleChannels = {
  'google.getClient': channel('admin', Empty, GoogleClientStatus),
  'google.setClient': channel(
    'admin',
    z
      .object({
        clientId: z.string().trim().min(1).max(200),
        /** Write-only. An empty string clears it. */
        clientSecret: z.string().trim().max(200),
        publishing: Publishing,
        rootUrl: z
          .url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. http://127.0.0.1:8085' })
          .max(500)
          .transform((u) => u.replace(/\/+$/, ''))
          .nullable(),
      })
      .partial()
      .strict()
      .refine((p) => Object.keys(p).length > 0, 'must change at least one field'),
    GoogleClientStatus,
  ),
  /** The caller's connection (or, for ADM, a colleague's). */
  'google.connection': channel('user', ForUser, ConnectionStatus),
  /**
   * Starts a connection: a loopback listener on 127.0.0.1, the consent URL with PKCE (S256),
   * `state`, `login_hint`, offline access. In browser mode the system browser opens it.
   */
  'google.connect': channel('user', z.object({ userId: Id.optional(), mode: ConnectMode.default('browser') }).strict(), PendingConnection),
  /** Manual connection: the URL the browser ended on, or the bare code, pasted back. */
  'google.completeManual': channel('user', z.object({ flowId: z.string().min(1).max(100), pasted: z.string().trim().min(1).max(4000) }).strict(), ConnectionStatus),
  'google.cancelConnect': channel('user', z.object({ flowId: z.string().min(1).max(100) }).strict(), z.object({ cancelled: z.boolean() })),
  'google.test': channel('user', ForUser, TestReport),
  /**
   * Reset (forget the account: revoke at Google, drop tokens and every sync link) or Reset
   * calendar (drop the agenda links and tokens only). `inGoogle` says what to do with what this
   * app created there: keep it, or delete it.
   */
  'google.reset': channel(
    'user',
    z.object({ userId: Id.optional(), scope: z.enum(['account', 'calendar']), inGoogle: z.enum(['keep', 'delete']) }).strict(),
    z.object({ revoked: z.boolean(), linksDropped: z.number().int().min(0), deletedInGoogle: z.number().int().min(0), connection: ConnectionStatus }),
  ),
} as const;

export const googleEvents = {
  /** A connection attempt ended (in the browser, by timeout or cancel). */
  onGoogleConnection: z.object({
    userId: Id,
    flowId: z.string(),
    outcome: z.enum(['connected', 'denied', 'failed', 'timeout', 'cancelled']),
    /** Stable code for the UI when it failed (e.g. ACCESS_DENIED, EMAIL_MISMATCH, SCOPES_MISSING). */
    problem: z.string().nullable(),
    /** Values the message needs (EMAIL_MISMATCH: accountEmail, loginEmail). */
    params: z.record(z.string(), z.string()),
    message: z.string().nullable(),
  }),
} as const;

