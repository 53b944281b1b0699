/**
 * Opaque, signed page and sync tokens: a forged or corrupted token is simply invalid, and tokens
 * stay valid across restarts with `--data DIR` because the secret is part of the persisted state.
 */
import { createHmac } from 'node:crypto';
import type { Emulator } from './context';
import { isObject } from './state';

export function signToken(emu: Emulator, obj: Record<string, unknown>): string {
  const payload = Buffer.from(JSON.stringify(obj)).toString('base64url');
  const mac = createHmac('sha256', emu.state.secret).update(payload).digest('base64url').slice(0, 22);
  return `${payload}.${mac}`;
}

export function verifyToken(emu: Emulator, tok: string): Record<string, unknown> | null {
  const [payload, mac, extra] = tok.split('.');
  if (!payload || !mac || extra !== undefined) return null;
  const want = createHmac('sha256', emu.state.secret).update(payload).digest('base64url').slice(0, 22);
  if (want !== mac) return null;
  try {
    const obj = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    return isObject(obj) ? obj : null;
  } catch {
    return null;
  }
}
