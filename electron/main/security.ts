/**
 * The Electron security checklist, as data main applies (and tests read): the web preferences
 * of every window, and which navigations and window openings are allowed.
 */
import { APP_ORIGIN } from './ipc';

export function webPreferences(preload: string) {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
  } as const;
}

/** The app never navigates away from its own pages. */
export function isAllowedNavigation(url: string): boolean {
  return url.startsWith(`${APP_ORIGIN}/`);
}

/** Links to the web open in the user's browser (https only); nothing opens inside the app. */
export function externalLinkToOpen(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' ? parsed.toString() : null;
  } catch {
    return null;
  }
}
