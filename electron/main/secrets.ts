/**
 * The app's secret sealer: Electron's safeStorage (Keychain on macOS, DPAPI on Windows, the
 * Secret Service / KWallet on Linux), through the asynchronous API Electron 45 offers
 * (https://www.electronjs.org/docs/latest/api/safe-storage). Call after app "ready".
 */
import { safeStorage } from 'electron';
import type { SecretSealer } from '../core/secrets';

export async function createElectronSealer(): Promise<SecretSealer> {
  if (!(await safeStorage.isAsyncEncryptionAvailable())) {
    // The app still starts; connecting to Google is refused with this reason instead.
    const reason = 'Electron safeStorage is not available: Google tokens and the client secret cannot be encrypted on this machine.';
    return {
      kind: 'electron-safe-storage',
      warning: reason,
      seal: () => Promise.reject(new Error(reason)),
      open: () => Promise.reject(new Error(reason)),
    };
  }
  let warning: string | null = null;
  // On Linux without a keyring, Chromium falls back to a hard-coded password ("basic_text"):
  // that is obfuscation, not encryption, and ADM should know.
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
    warning =
      'No keyring (GNOME Keyring, KWallet) was found: Google tokens and the client secret are stored with a fixed, ' +
      'publicly known key. Install and unlock a keyring, then restart CRM Companion.';
  }
  return {
    kind: 'electron-safe-storage',
    warning,
    seal: async (plain) => (await safeStorage.encryptStringAsync(plain)).toString('base64'),
    open: async (sealed) => (await safeStorage.decryptStringAsync(Buffer.from(sealed, 'base64'))).result,
  };
}
