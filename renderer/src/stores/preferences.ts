import { create } from 'zustand';
import type { AppSettings, Input, SyncPrefs } from '../../../shared/contract';
import { bridge } from '../api/bridge';

/** What the contract lets a user change, derived from it rather than written again here. */
export type SyncPrefsPatch = Input<'syncPrefs.update'>['patch'];
export type SettingsPatch = Input<'settings.update'>;

interface PreferencesState {
  prefs: SyncPrefs | null;
  settings: AppSettings | null;
  loading: boolean;
  error: unknown;
  /** Loads the caller's sync preferences and the CRM file settings. */
  load(): Promise<void>;
  savePrefs(patch: SyncPrefsPatch): Promise<SyncPrefs>;
  saveSettings(patch: SettingsPatch): Promise<AppSettings>;
  reset(): void;
}

export const usePreferences = create<PreferencesState>()((set) => ({
  prefs: null,
  settings: null,
  loading: false,
  error: null,

  async load() {
    set({ loading: true, error: null });
    try {
      const [prefs, settings] = await Promise.all([bridge['syncPrefs.get']({}), bridge['settings.get']({})]);
      set({ prefs, settings, loading: false });
    } catch (error) {
      set({ loading: false, error });
    }
  },

  async savePrefs(patch) {
    const prefs = await bridge['syncPrefs.update']({ patch });
    set({ prefs });
    return prefs;
  },

  async saveSettings(patch) {
    const settings = await bridge['settings.update'](patch);
    set({ settings });
    return settings;
  },

  reset() {
    set({ prefs: null, settings: null, error: null, loading: false });
  },
}));
