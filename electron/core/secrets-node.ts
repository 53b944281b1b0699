/**
 * The secret sealer of the Node hosts (browser host, CLI): AES-256-GCM under a random 256-bit
 * master key. The key lives in the OS keyring (macOS Keychain, Windows Credential Manager,
 * Secret Service on Linux) through @napi-rs/keyring; where there is none (a headless Linux
 * server has no Secret Service), in an owner-only key file beside the database, with a warning
 * ADM sees in the preferences.
 *
 * Sealed format: "v1:" + base64(iv[12] ‖ tag[16] ‖ ciphertext). The version prefix lets a later
 * release change the algorithm and still open what this one sealed.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SecretSealer, SecretStorageKind } from './secrets';

const VERSION = 'v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEYRING_SERVICE = 'crm-companion';
export const KEY_FILE = 'secret.key';

/** The part of @napi-rs/keyring's AsyncEntry we use (injectable so tests do not depend on the machine). */
export interface KeyringEntry {
  getPassword(): Promise<string | null>;
  setPassword(password: string): Promise<void>;
}
export type KeyringFactory = (service: string, account: string) => KeyringEntry;

async function defaultKeyring(): Promise<KeyringFactory | null> {
  try {
    const mod = await import('@napi-rs/keyring');
    return (service, account) => new mod.AsyncEntry(service, account);
  } catch {
    // No prebuilt binary for this platform: fall back to the key file.
    return null;
  }
}

export interface NodeSealerOptions {
  /** Folder of the key file fallback (the database's folder). */
  keyDir: string;
  /** Names this CRM file's key in the keyring (e.g. the database's absolute path). */
  id: string;
  /** undefined: the real OS keyring; null: never use a keyring (tests, or a forced key file). */
  keyring?: KeyringFactory | null;
}

export interface NodeSealer extends SecretSealer {
  readonly keyFile: string | null;
}

function seal(key: Buffer, plain: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return VERSION + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

function open(key: Buffer, sealed: string): string {
  if (!sealed.startsWith(VERSION)) throw new Error('This secret was sealed in an unknown format.');
  const raw = Buffer.from(sealed.slice(VERSION.length), 'base64');
  if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('This sealed secret is truncated.');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    // GCM's tag check failed: tampered with, or sealed under another key (another machine).
    throw new Error('This sealed secret cannot be opened: it was changed, or sealed with another key.');
  }
}

function parseKey(text: string): Buffer | null {
  const key = Buffer.from(text.trim(), 'base64');
  return key.length === 32 ? key : null;
}

async function keyFromKeyring(factory: KeyringFactory, id: string): Promise<Buffer | null> {
  try {
    const entry = factory(KEYRING_SERVICE, `master-key:${id}`);
    const existing = await entry.getPassword();
    if (existing) {
      const key = parseKey(existing);
      if (key) return key;
    }
    const fresh = randomBytes(32);
    await entry.setPassword(fresh.toString('base64'));
    // Read back: some stores accept a write they cannot return (locked collection).
    const back = await entry.getPassword();
    return back && parseKey(back)?.equals(fresh) ? fresh : null;
  } catch {
    return null;
  }
}

function keyFromFile(file: string): Buffer {
  if (existsSync(file)) {
    const mode = statSync(file).mode & 0o777;
    // Like ssh with a private key: a key others can read protects nothing, so refuse it.
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      throw new Error(`The key file ${file} can be read by other users (mode ${mode.toString(8)}); run \`chmod 600 ${file}\` and start again.`);
    }
    const key = parseKey(readFileSync(file, 'utf8'));
    if (!key) throw new Error(`The key file ${file} is damaged: it does not hold a 256-bit key.`);
    return key;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const key = randomBytes(32);
  // 'wx': never overwrite a key another process created meanwhile (its secrets would be lost).
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600); // the umask may have dropped bits, never added: make it exact anyway
  return key;
}

export async function createNodeSealer(options: NodeSealerOptions): Promise<NodeSealer> {
  // CRM_NO_KEYRING=1 forces the key file (tests and CI must not write to a developer's keyring).
  const factory = options.keyring !== undefined ? options.keyring : process.env.CRM_NO_KEYRING === '1' ? null : await defaultKeyring();
  let kind: SecretStorageKind = 'os-keyring';
  let warning: string | null = null;
  let keyFile: string | null = null;
  let key = factory ? await keyFromKeyring(factory, options.id) : null;
  if (!key) {
    keyFile = path.join(options.keyDir, KEY_FILE);
    key = keyFromFile(keyFile);
    kind = 'key-file';
    warning =
      `No OS keyring is available, so Google tokens and the client secret are encrypted with a key kept in ${keyFile} ` +
      '(readable only by your user account). Anyone who can read both that file and the database can read them.';
  }
  const k = key;
  return {
    kind,
    warning,
    keyFile,
    seal: (plain) => Promise.resolve(seal(k, plain)),
    open: (sealed) => {
      try {
        return Promise.resolve(open(k, sealed));
      } catch (error) {
        return Promise.reject(error as Error);
      }
    },
  };
}
