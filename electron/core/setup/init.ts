import { CrmError } from '../../../shared/errors';
import type { Db } from '../db/database';
import { generateDemo, type DemoOptions, type DemoSummary } from '../demo/generate';
import { hashPassword } from '../session/password';

export function userCount(db: Db): number {
  return (db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
}

/** A new, empty CRM file: the built-in ADM account and nothing else. */
export function initEmpty(db: Db, adminPassword: string, now = new Date()): void {
  if (adminPassword.length < 8) throw new CrmError('BAD_INPUT', 'The administrator password must have at least 8 characters.', 'adminPassword');
  db.transaction(() => {
    if (userCount(db) > 0) throw new CrmError('CONFLICT', 'This database already has users; nothing was changed.');
    db.prepare("INSERT INTO users (login, display_name, password_hash, is_admin, created_at) VALUES ('ADM', 'Administrateur', ?, 1, ?)").run(
      hashPassword(adminPassword),
      now.toISOString(),
    );
  })();
}

export function initDemo(db: Db, options: DemoOptions = {}): DemoSummary {
  if (userCount(db) > 0) throw new CrmError('CONFLICT', 'This database already has users; the demo data goes into a new file. Nothing was changed.');
  return generateDemo(db, options);
}
