/**
 * Secrets at rest (refresh tokens, the client secret) are sealed before they reach the database.
 * Who seals depends on where the core runs: Electron's safeStorage in the app, the OS keyring
 * (else an owner-only key file, with a visible warning) in the browser host and the CLI.
 * The core only sees this interface.
 */
export type SecretStorageKind = 'electron-safe-storage' | 'os-keyring' | 'key-file';

export interface SecretSealer {
  readonly kind: SecretStorageKind;
  /** Shown to ADM when the storage is weaker than the OS offers (e.g. a key file, basic_text). */
  readonly warning: string | null;
  /** Returns an opaque base64 string. */
  seal(plain: string): Promise<string>;
  open(sealed: string): Promise<string>;
}

/** For a core that has no secret to keep (tests of other domains): sealing is refused. */
export const noSecretStorage: SecretSealer = {
  kind: 'key-file',
  warning: 'No secret storage is configured for this process.',
  seal: () => Promise.reject(new Error('No secret storage is configured for this process.')),
  open: () => Promise.reject(new Error('No secret storage is configured for this process.')),
};
