/**
 * The Google OAuth client of the CRM file (FTC019 §3.1), kept in app_settings. The secret is
 * stored sealed (see ../secrets.ts) and only ever leaves this module as "set / not set".
 */
import { z } from 'zod';
import { Publishing } from '../../../shared/contract';
import type { Db } from '../db/database';

export interface GoogleClientSettings {
  clientId: string;
  publishing: Publishing;
  /** null: Google itself. */
  rootUrl: string | null;
  /** base64 of the sealed secret, or null when not set. */
  sealedSecret: string | null;
}

const Stored = z
  .object({
    googleClientId: z.string(),
    googlePublishing: Publishing,
    googleRootUrl: z.string().nullable(),
    googleClientSecretSealed: z.string().nullable(),
  })
  .partial();

const KEYS = ['googleClientId', 'googlePublishing', 'googleRootUrl', 'googleClientSecretSealed'] as const;

export function getGoogleClientSettings(db: Db): GoogleClientSettings {
  const rows = db.prepare(`SELECT key, value FROM app_settings WHERE key IN (${KEYS.map(() => '?').join(', ')})`).all(...KEYS) as { key: string; value: string }[];
  const s = Stored.parse(Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value)])));
  return {
    clientId: s.googleClientId ?? '',
    publishing: s.googlePublishing ?? 'testing',
    rootUrl: s.googleRootUrl ?? null,
    sealedSecret: s.googleClientSecretSealed ?? null,
  };
}

export function putGoogleClientSettings(db: Db, patch: Partial<GoogleClientSettings>): void {
  const put = db.prepare('INSERT INTO app_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  const map: Record<keyof GoogleClientSettings, (typeof KEYS)[number]> = {
    clientId: 'googleClientId',
    publishing: 'googlePublishing',
    rootUrl: 'googleRootUrl',
    sealedSecret: 'googleClientSecretSealed',
  };
  db.transaction(() => {
    for (const [k, v] of Object.entries(patch) as [keyof GoogleClientSettings, unknown][]) put.run(map[k], JSON.stringify(v ?? null));
  })();
}
