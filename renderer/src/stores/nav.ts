import { create } from 'zustand';

export type Screen = 'agenda' | 'contacts' | 'sync' | 'prefs' | 'rights';
/** `rights` is ADM's: the shell shows it (and its tab) to ADM only; the core refuses the rest. */
export const SCREENS: readonly Screen[] = ['agenda', 'contacts', 'sync', 'prefs', 'rights'];

function fromHash(): Screen {
  const name = location.hash.replace(/^#\/?/, '');
  return (SCREENS as readonly string[]).includes(name) ? (name as Screen) : 'agenda';
}

interface NavState {
  screen: Screen;
  go(screen: Screen): void;
}

/** The current screen, mirrored in the URL hash so a reload stays where the user was. */
export const useNav = create<NavState>()((set) => ({
  screen: fromHash(),
  go(screen) {
    if (location.hash !== `#/${screen}`) history.replaceState(null, '', `#/${screen}`);
    set({ screen });
  },
}));

window.addEventListener('hashchange', () => useNav.setState({ screen: fromHash() }));
