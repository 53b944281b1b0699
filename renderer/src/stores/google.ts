/**
 * The caller's Google connection (FTC019 §3.2, §3.5) and, for ADM, the app's OAuth client
 * (§3.1). Tokens and the client secret never reach the renderer: only whether they are set.
 */
import { create } from 'zustand';
import type { ConnectionStatus, EventPayload, GoogleClientStatus, PendingConnection, TestReport } from '../../../shared/contract';
import { bridge, transportKind } from '../api/bridge';

export type ConnectionOutcome = EventPayload<'onGoogleConnection'>;

export type ClientPatch = {
  clientId?: string;
  clientSecret?: string;
  publishing?: GoogleClientStatus['publishing'];
  rootUrl?: string | null;
};

export interface ResetResult {
  scope: 'account' | 'calendar';
  revoked: boolean;
  linksDropped: number;
  deletedInGoogle: number;
}

interface GoogleState {
  connection: ConnectionStatus | null;
  loading: boolean;
  error: unknown;
  /** The flow in progress (browser or manual), if any. */
  pending: PendingConnection | null;
  /** How the last attempt ended (from `onGoogleConnection`), until the next one starts. */
  outcome: ConnectionOutcome | null;
  report: TestReport | null;
  testing: boolean;
  testError: unknown;
  lastReset: ResetResult | null;
  client: GoogleClientStatus | null;
  clientError: unknown;

  load(isAdmin: boolean): Promise<void>;
  loadConnection(): Promise<void>;
  connect(mode: 'browser' | 'manual'): Promise<PendingConnection>;
  completeManual(pasted: string): Promise<ConnectionStatus>;
  cancel(): Promise<void>;
  test(): Promise<void>;
  resetConnection(scope: 'account' | 'calendar', inGoogle: 'keep' | 'delete'): Promise<ResetResult>;
  saveClient(patch: ClientPatch): Promise<GoogleClientStatus>;
  /** A connection attempt ended (pushed by the core). */
  onOutcome(payload: ConnectionOutcome): void;
  clear(): void;
}

/** Flows this page replaced by a new one: their `cancelled` event is not news. */
const replaced = new Set<string>();

const initial = {
  connection: null,
  loading: false,
  error: null,
  pending: null,
  outcome: null,
  report: null,
  testing: false,
  testError: null,
  lastReset: null,
  client: null,
  clientError: null,
};

export const useGoogle = create<GoogleState>()((set, get) => ({
  ...initial,

  async load(isAdmin) {
    set({ loading: true, error: null });
    const clientLoad = isAdmin
      ? bridge['google.getClient']({}).then(
          (client) => set({ client, clientError: null }),
          (clientError: unknown) => set({ clientError }),
        )
      : Promise.resolve();
    try {
      const connection = await bridge['google.connection']({});
      set({ connection, pending: connection.pending, loading: false });
    } catch (error) {
      set({ loading: false, error });
    }
    await clientLoad;
  },

  async loadConnection() {
    try {
      const connection = await bridge['google.connection']({});
      set({ connection, pending: connection.pending, error: null });
    } catch (error) {
      set({ error });
    }
  },

  async connect(mode) {
    const previous = get().pending;
    if (previous) replaced.add(previous.flowId);
    if (previous) await bridge['google.cancelConnect']({ flowId: previous.flowId }).catch(() => undefined);
    set({ outcome: null, lastReset: null });
    const pending = await bridge['google.connect']({ mode });
    set({ pending });
    // In Electron the core opens the system browser; in a plain browser the page does it.
    if (mode === 'browser' && transportKind === 'http') window.open(pending.consentUrl, '_blank', 'noopener');
    return pending;
  },

  async completeManual(pasted) {
    const pending = get().pending;
    if (!pending) throw new Error('no connection in progress');
    const connection = await bridge['google.completeManual']({ flowId: pending.flowId, pasted });
    set((s) => ({
      connection,
      pending: null,
      outcome: s.outcome && s.outcome.flowId === pending.flowId ? s.outcome : { userId: connection.userId, flowId: pending.flowId, outcome: 'connected', problem: null, params: {}, message: null },
      report: null,
    }));
    return connection;
  },

  async cancel() {
    const pending = get().pending;
    if (!pending) return;
    try {
      await bridge['google.cancelConnect']({ flowId: pending.flowId });
    } finally {
      set((s) => ({ pending: null, outcome: s.outcome?.flowId === pending.flowId ? s.outcome : { userId: s.connection?.userId ?? 0, flowId: pending.flowId, outcome: 'cancelled', problem: null, params: {}, message: null } }));
      void get().loadConnection();
    }
  },

  async test() {
    if (get().testing) return;
    set({ testing: true, testError: null });
    try {
      const report = await bridge['google.test']({});
      set({ report, testing: false });
    } catch (testError) {
      set({ testing: false, testError });
    }
  },

  async resetConnection(scope, inGoogle) {
    const r = await bridge['google.reset']({ scope, inGoogle });
    const result: ResetResult = { scope, revoked: r.revoked, linksDropped: r.linksDropped, deletedInGoogle: r.deletedInGoogle };
    set({ connection: r.connection, pending: r.connection.pending, lastReset: result, report: null, outcome: null });
    return result;
  },

  async saveClient(patch) {
    const client = await bridge['google.setClient'](patch);
    set({ client, report: null });
    return client;
  },

  onOutcome(payload) {
    const { connection, pending } = get();
    if (connection && payload.userId !== connection.userId) return;
    if (replaced.has(payload.flowId)) return;
    // An older flow (replaced by a new one) ending is not news for the user.
    if (pending && payload.flowId !== pending.flowId) return;
    set({ outcome: payload, pending: null, ...(payload.outcome === 'connected' ? { report: null } : {}) });
    void get().loadConnection();
  },

  clear() {
    set(initial);
  },
}));
