import { create } from 'zustand';
import type { SessionUser } from '../../../shared/contract';
import { bridge, onUnauthenticated } from '../api/bridge';
import { validTimeZone } from '../lib/dates';

type Status = 'starting' | 'anonymous' | 'authenticated';

interface SessionState {
  status: Status;
  user: SessionUser | null;
  /** The user's IANA zone (validated), used for every date shown. */
  timeZone: string;
  /** Why the user is on the login screen (failed login, expired session, host down). */
  error: unknown;
  /** Set when the session expired while working: the login screen says so. */
  expired: boolean;
  busy: boolean;
  start(): Promise<void>;
  login(login: string, password: string): Promise<boolean>;
  logout(): Promise<void>;
  expire(): void;
}

export const useSession = create<SessionState>()((set, get) => ({
  status: 'starting',
  user: null,
  timeZone: validTimeZone(undefined),
  error: null,
  expired: false,
  busy: false,

  async start() {
    try {
      const user = await bridge['session.current']({});
      if (user) set({ status: 'authenticated', user, timeZone: validTimeZone(user.timeZone), error: null });
      else set({ status: 'anonymous', user: null });
    } catch (error) {
      set({ status: 'anonymous', user: null, error });
    }
  },

  async login(login, password) {
    if (get().busy) return false;
    set({ busy: true, error: null });
    try {
      const user = await bridge['session.login']({ login, password });
      set({ status: 'authenticated', user, timeZone: validTimeZone(user.timeZone), busy: false, expired: false, error: null });
      return true;
    } catch (error) {
      set({ busy: false, error });
      return false;
    }
  },

  async logout() {
    try {
      await bridge['session.logout']({});
    } catch {
      // leaving anyway
    }
    set({ status: 'anonymous', user: null, error: null, expired: false });
  },

  expire() {
    if (get().status !== 'authenticated') return;
    set({ status: 'anonymous', user: null, expired: true, error: null });
  },
}));

onUnauthenticated(() => useSession.getState().expire());
