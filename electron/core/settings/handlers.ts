import { CrmError } from '../../../shared/errors';
import { AppSettings } from '../../../shared/contract';
import { defineHandlers } from '../context';
import type { Db } from '../db/database';

const DEFAULTS: AppSettings = { companyName: 'Mon entreprise', defaultActionTypeId: null };
const KEYS = Object.keys(DEFAULTS) as (keyof AppSettings)[];
const Stored = AppSettings.partial();

export function getSettings(db: Db): AppSettings {
  const rows = db.prepare(`SELECT key, value FROM app_settings WHERE key IN (${KEYS.map(() => '?').join(', ')})`).all(...KEYS) as { key: string; value: string }[];
  const stored = Stored.parse(Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value)])));
  return { ...DEFAULTS, ...stored };
}

export function putSettings(db: Db, patch: Partial<AppSettings>): void {
  const put = db.prepare('INSERT INTO app_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  db.transaction(() => {
    for (const [key, value] of Object.entries(patch)) put.run(key, JSON.stringify(value));
  })();
}

export const settingsHandlers = defineHandlers({
  'settings.get': (_input, ctx) => getSettings(ctx.db),
  'settings.update': (input, ctx) => {
    if (input.defaultActionTypeId != null && ctx.db.prepare('SELECT 1 FROM action_types WHERE id = ?').get(input.defaultActionTypeId) === undefined) {
      throw new CrmError('BAD_INPUT', `defaultActionTypeId: action type ${input.defaultActionTypeId} does not exist`, 'defaultActionTypeId');
    }
    putSettings(ctx.db, input);
    return getSettings(ctx.db);
  },
});
