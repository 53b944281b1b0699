/**
 * The manual sync wizard (FTC019 §3.6.1, BRIEF §5, issue 7): 1. pick users (oneself and the
 * colleagues one holds *Agenda* on) and what (agenda, contacts); 2. a preview from dry runs that
 * write nothing, per user and per side; 3. the runs, with progress per user and part, and Cancel;
 * 4. the report per user (also in the sync log). Every run goes through the core with the
 * colleague's own connection: the renderer never sees a token, only whether one is held.
 */
import { useMemo } from 'react';
import { create } from 'zustand';
import type { ContactsSyncReport, EventPayload, SyncReport, SyncTarget } from '../../../shared/contract';
import { CrmError } from '../../../shared/errors';
import { bridge } from '../api/bridge';
import { useAgendaSync } from './agendaSync';
import { useContactSync } from './contactSync';

export type Part = 'agenda' | 'contacts';
export type Step = 'pick' | 'preview' | 'run' | 'report';

export interface Progress {
  phase: string;
  done: number;
  total: number;
}

export type Outcome<R> =
  | { state: 'idle' }
  | { state: 'loading'; progress: Progress | null }
  | { state: 'done'; report: R }
  | { state: 'failed'; error: unknown };

export interface UserParts {
  agenda: Outcome<SyncReport>;
  contacts: Outcome<ContactsSyncReport>;
}

interface WizardState {
  step: Step;
  targets: SyncTarget[] | null;
  targetsError: unknown;
  /** What is picked, by user. */
  picked: Record<number, { agenda: boolean; contacts: boolean }>;
  previews: Record<number, UserParts>;
  runs: Record<number, UserParts>;
  cancelling: boolean;

  open(): Promise<void>;
  toggle(userId: number, part: Part): void;
  /** Users and parts picked, in the targets' order, keeping only what may be synced. */
  chosen(): { target: SyncTarget; parts: Part[] }[];
  preview(): Promise<void>;
  run(): Promise<void>;
  cancel(): Promise<void>;
  back(): void;
  restart(): void;
  onAgendaProgress(p: EventPayload<'onSyncProgress'>): void;
  onContactsProgress(p: EventPayload<'onContactsSyncProgress'>): void;
}

const idle = (): UserParts => ({ agenda: { state: 'idle' }, contacts: { state: 'idle' } });

let seq = 0;

export const useSyncWizard = create<WizardState>()((set, get) => {
  const put = (key: 'previews' | 'runs', userId: number, part: Part, outcome: Outcome<SyncReport> | Outcome<ContactsSyncReport>) =>
    set((s) => ({ [key]: { ...s[key], [userId]: { ...(s[key][userId] ?? idle()), [part]: outcome } } }) as Partial<WizardState>);

  /** Runs (or previews) every chosen part, in parallel: each user's parts have their own lock in the core. */
  const go = async (key: 'previews' | 'runs', dryRun: boolean, mine: number) => {
    const jobs = get()
      .chosen()
      .flatMap(({ target, parts }) =>
        parts.map(async (part) => {
          const input = target.isSelf ? { dryRun } : { userId: target.userId, dryRun };
          put(key, target.userId, part, { state: 'loading', progress: null });
          try {
            const report: SyncReport | ContactsSyncReport = part === 'agenda' ? await bridge['agendaSync.run']({ ...input, trigger: 'manual' }) : await bridge['contactsSync.run'](input);
            if (mine === seq) put(key, target.userId, part, { state: 'done', report } as Outcome<SyncReport> | Outcome<ContactsSyncReport>);
          } catch (error) {
            if (mine === seq) put(key, target.userId, part, { state: 'failed', error });
          }
        }),
      );
    await Promise.all(jobs);
  };

  return {
    step: 'pick',
    targets: null,
    targetsError: null,
    picked: {},
    previews: {},
    runs: {},
    cancelling: false,

    async open() {
      const mine = ++seq;
      set({ step: 'pick', previews: {}, runs: {}, cancelling: false, targetsError: null });
      try {
        const targets = await bridge['sync.targets']({});
        if (mine !== seq) return;
        const picked = { ...get().picked };
        for (const t of targets) {
          // Yourself, picked by default when connected; colleagues are picked by hand.
          if (!(t.userId in picked)) picked[t.userId] = { agenda: t.isSelf && t.connected, contacts: t.isSelf && t.connected && t.contactsListed > 0 };
          if (!t.connected) picked[t.userId] = { agenda: false, contacts: false };
        }
        for (const id of Object.keys(picked).map(Number)) if (!targets.some((t) => t.userId === id)) delete picked[id];
        set({ targets, picked });
      } catch (targetsError) {
        if (mine === seq) set({ targetsError });
      }
    },

    toggle(userId, part) {
      const t = get().targets?.find((x) => x.userId === userId);
      if (!t || !t.connected) return;
      set((s) => {
        const cur = s.picked[userId] ?? { agenda: false, contacts: false };
        return { picked: { ...s.picked, [userId]: { ...cur, [part]: !cur[part] } } };
      });
    },

    chosen() {
      return chosenOf(get().targets, get().picked);
    },

    async preview() {
      if (get().chosen().length === 0) return;
      const mine = ++seq;
      set({ step: 'preview', previews: {}, runs: {} });
      await go('previews', true, mine);
    },

    async run() {
      if (get().chosen().length === 0) return;
      const mine = ++seq;
      set({ step: 'run', runs: {}, cancelling: false });
      await go('runs', false, mine);
      if (mine !== seq) return;
      set({ step: 'report', cancelling: false });
      // The sync log and lists shown elsewhere move on with what was done.
      void useAgendaSync.getState().loadLog();
      void useContactSync.getState().loadSummary();
      const self = get().chosen().find((c) => c.target.isSelf);
      const selfRun = self ? get().runs[self.target.userId]?.agenda : undefined;
      if (selfRun?.state === 'done' && selfRun.report.pendingDeletions > 0) void useAgendaSync.getState().loadPending();
    },

    async cancel() {
      const { runs, targets, cancelling } = get();
      if (cancelling) return;
      set({ cancelling: true });
      const calls: Promise<unknown>[] = [];
      for (const [id, parts] of Object.entries(runs)) {
        const userId = Number(id);
        const self = targets?.find((t) => t.userId === userId)?.isSelf ?? false;
        const input = self ? {} : { userId };
        const quiet = (p: Promise<unknown>) =>
          p.catch((error: unknown) => {
            // NOT_FOUND: that part ended meanwhile, which is what Cancel wanted.
            if (!(error instanceof CrmError && error.code === 'NOT_FOUND')) throw error;
          });
        if (parts.agenda.state === 'loading') calls.push(quiet(bridge['agendaSync.cancel'](input)));
        if (parts.contacts.state === 'loading') calls.push(quiet(bridge['contactsSync.cancel'](input)));
      }
      await Promise.allSettled(calls);
    },

    back() {
      seq++;
      set({ step: 'pick', previews: {}, runs: {}, cancelling: false });
    },

    restart() {
      void get().open();
    },

    onAgendaProgress(p) {
      if (p.phase === 'done') return;
      const key = get().step === 'run' ? 'runs' : get().step === 'preview' ? 'previews' : null;
      const cur = key ? get()[key][p.userId]?.agenda : undefined;
      if (key && cur?.state === 'loading') put(key, p.userId, 'agenda', { state: 'loading', progress: { phase: p.phase, done: p.done, total: p.total } });
    },

    onContactsProgress(p) {
      if (p.phase === 'done') return;
      const key = get().step === 'run' ? 'runs' : get().step === 'preview' ? 'previews' : null;
      const cur = key ? get()[key][p.userId]?.contacts : undefined;
      if (key && cur?.state === 'loading') put(key, p.userId, 'contacts', { state: 'loading', progress: { phase: p.phase, done: p.done, total: p.total } });
    },
  };
});

function chosenOf(targets: SyncTarget[] | null, picked: WizardState['picked']): { target: SyncTarget; parts: Part[] }[] {
  return (targets ?? []).flatMap((target) => {
    const p = picked[target.userId];
    if (!target.connected || !p) return [];
    const parts = (['agenda', 'contacts'] as const).filter((k) => p[k]);
    return parts.length > 0 ? [{ target, parts }] : [];
  });
}

/** The chosen users and parts, for components (a stable value while targets and picks stay). */
export function useChosen(): { target: SyncTarget; parts: Part[] }[] {
  const targets = useSyncWizard((s) => s.targets);
  const picked = useSyncWizard((s) => s.picked);
  return useMemo(() => chosenOf(targets, picked), [targets, picked]);
}

/** The counts a report (or preview) shows, by side, for comparing a preview with its run. */
export function countsOf(part: Part, r: SyncReport | ContactsSyncReport): { crm: number[]; google: number[] } {
  if (part === 'agenda') {
    const a = r as SyncReport;
    return { crm: [a.crm.created, a.crm.updated, a.crm.deleted], google: [a.google.created, a.google.updated, a.google.deleted] };
  }
  const c = r as ContactsSyncReport;
  return { crm: [0, c.crm.updated, 0], google: [c.google.created, c.google.updated, c.google.deleted] };
}
