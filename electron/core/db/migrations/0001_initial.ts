/**
 * 0001 — the CRM store and the sync state (BRIEF §1). Every table is STRICT: SQLite itself
 * refuses a value of the wrong type, whoever writes the file. Append-only: never edit a migration that
 * has shipped; the checksum check refuses a database whose applied migration text differs.
 */
export default {
  id: 1,
  name: 'initial',
  sql: /* sql */ `
CREATE TABLE users (
  id             INTEGER PRIMARY KEY,
  login          TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(login) BETWEEN 1 AND 64),
  display_name   TEXT NOT NULL,
  email          TEXT NOT NULL DEFAULT '',
  password_hash  TEXT NOT NULL,
  is_admin       INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
  time_zone      TEXT NOT NULL DEFAULT 'Europe/Paris',
  locale         TEXT NOT NULL DEFAULT 'fr' CHECK (locale IN ('fr', 'en')),
  active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at     TEXT NOT NULL
) STRICT;

-- Rights, holder -> target: Visible (sees everything of target), Agenda (sees and syncs the agenda).
CREATE TABLE user_rights (
  holder_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  target_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  visible    INTEGER NOT NULL DEFAULT 0 CHECK (visible IN (0, 1)),
  agenda     INTEGER NOT NULL DEFAULT 0 CHECK (agenda IN (0, 1)),
  PRIMARY KEY (holder_id, target_id),
  CHECK (holder_id <> target_id)
) WITHOUT ROWID, STRICT;
CREATE INDEX user_rights_target ON user_rights(target_id);

CREATE TABLE companies (
  id            INTEGER PRIMARY KEY,
  code          TEXT NOT NULL UNIQUE,
  kind          TEXT NOT NULL CHECK (kind IN ('client', 'prospect', 'supplier')),
  name          TEXT NOT NULL,
  sales_rep_id  INTEGER REFERENCES users(id) ON DELETE SET NULL,
  phone         TEXT NOT NULL DEFAULT '',
  email         TEXT NOT NULL DEFAULT '',
  address_line1 TEXT NOT NULL DEFAULT '',
  postal_code   TEXT NOT NULL DEFAULT '',
  city          TEXT NOT NULL DEFAULT '',
  country       TEXT NOT NULL DEFAULT 'France',
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
) STRICT;
CREATE INDEX companies_rep ON companies(sales_rep_id);

CREATE TABLE contacts (
  id             INTEGER PRIMARY KEY,
  company_id     INTEGER REFERENCES companies(id) ON DELETE SET NULL,
  civility       TEXT NOT NULL DEFAULT '' CHECK (civility IN ('', 'M.', 'Mme')),
  last_name      TEXT NOT NULL,
  first_name     TEXT NOT NULL DEFAULT '',
  job_title      TEXT NOT NULL DEFAULT '',
  email          TEXT NOT NULL DEFAULT '',
  phone          TEXT NOT NULL DEFAULT '',
  mobile         TEXT NOT NULL DEFAULT '',
  address_line1  TEXT NOT NULL DEFAULT '',
  address_line2  TEXT NOT NULL DEFAULT '',
  address_line3  TEXT NOT NULL DEFAULT '',
  postal_code    TEXT NOT NULL DEFAULT '',
  city           TEXT NOT NULL DEFAULT '',
  country        TEXT NOT NULL DEFAULT '',
  comment        TEXT NOT NULL DEFAULT '',
  photo          BLOB,
  photo_mime     TEXT CHECK (photo_mime IS NULL OR photo_mime IN ('image/jpeg', 'image/png')),
  photo_sha256   TEXT,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  version        INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX contacts_company ON contacts(company_id);
CREATE INDEX contacts_name ON contacts(last_name COLLATE NOCASE, first_name COLLATE NOCASE);

-- Full-text index for contact search (accent-insensitive, prefix queries). Contentless: the
-- text lives in contacts/companies; triggers below keep it current.
CREATE VIRTUAL TABLE contacts_fts USING fts5(
  names, company, email, city,
  content = '', contentless_delete = 1,
  tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
);
CREATE TRIGGER contacts_fts_ai AFTER INSERT ON contacts BEGIN
  INSERT INTO contacts_fts(rowid, names, company, email, city)
  VALUES (new.id, new.last_name || ' ' || new.first_name,
          coalesce((SELECT name || ' ' || code FROM companies WHERE id = new.company_id), ''),
          new.email, new.city);
END;
CREATE TRIGGER contacts_fts_ad AFTER DELETE ON contacts BEGIN
  DELETE FROM contacts_fts WHERE rowid = old.id;
END;
CREATE TRIGGER contacts_fts_au AFTER UPDATE OF last_name, first_name, company_id, email, city ON contacts BEGIN
  DELETE FROM contacts_fts WHERE rowid = old.id;
  INSERT INTO contacts_fts(rowid, names, company, email, city)
  VALUES (new.id, new.last_name || ' ' || new.first_name,
          coalesce((SELECT name || ' ' || code FROM companies WHERE id = new.company_id), ''),
          new.email, new.city);
END;
CREATE TRIGGER companies_fts_au AFTER UPDATE OF name, code ON companies BEGIN
  DELETE FROM contacts_fts WHERE rowid IN (SELECT id FROM contacts WHERE company_id = new.id);
  INSERT INTO contacts_fts(rowid, names, company, email, city)
  SELECT id, last_name || ' ' || first_name, new.name || ' ' || new.code, email, city
  FROM contacts WHERE company_id = new.id;
END;

CREATE TABLE action_types (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE,
  label       TEXT NOT NULL,
  color       TEXT NOT NULL CHECK (color GLOB '#[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]'),
  sort_order  INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Actions (the agenda). Periods are stored twice: as epoch milliseconds for range queries
-- (all-day: local midnight of start_date .. local midnight after end_date, in time_zone) and,
-- for all-day actions, as the local dates themselves (end inclusive).
CREATE TABLE actions (
  id                INTEGER PRIMARY KEY,
  owner_id          INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  type_id           INTEGER NOT NULL REFERENCES action_types(id),
  title             TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 255),
  location          TEXT NOT NULL DEFAULT '',
  all_day           INTEGER NOT NULL CHECK (all_day IN (0, 1)),
  start_ms          INTEGER NOT NULL,
  end_ms            INTEGER NOT NULL,
  start_date        TEXT,
  end_date          TEXT,
  time_zone         TEXT NOT NULL,
  private           INTEGER NOT NULL DEFAULT 0 CHECK (private IN (0, 1)),
  reminder_enabled  INTEGER NOT NULL DEFAULT 0 CHECK (reminder_enabled IN (0, 1)),
  reminder_minutes  INTEGER NOT NULL DEFAULT 15 CHECK (reminder_minutes BETWEEN 0 AND 40320),
  description       TEXT NOT NULL DEFAULT '',
  series_id         TEXT,
  contact_id        INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
  company_id        INTEGER REFERENCES companies(id) ON DELETE SET NULL,
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL,
  version           INTEGER NOT NULL DEFAULT 1,
  CHECK (end_ms > start_ms),
  CHECK ((all_day = 1) = (start_date IS NOT NULL AND end_date IS NOT NULL)),
  CHECK (start_date IS NULL OR (start_date GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]' AND end_date GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]' AND end_date >= start_date))
) STRICT;
-- The agenda views read a week or a month of many users at once: this index covers every
-- column they show, so the query reads one contiguous run of the index per user instead of
-- one table lookup per action (measured: twice as fast at 100,000 actions, bench/store.ts).
CREATE INDEX actions_agenda ON actions(owner_id, start_ms, end_ms, all_day, private, type_id, series_id, start_date, end_date, title, location);
-- Actions longer than four days (trips, long leaves) are few; this partial index finds them,
-- so range queries on actions_agenda can bound start_ms to [from - 4 days, to).
CREATE INDEX actions_long ON actions(owner_id, end_ms) WHERE end_ms - start_ms > 345600000;
CREATE INDEX actions_series ON actions(series_id) WHERE series_id IS NOT NULL;

-- Per-user sync preferences (FTC019 §3.3).
CREATE TABLE sync_prefs (
  user_id         INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  google_email    TEXT NOT NULL DEFAULT '',
  calendar_name   TEXT NOT NULL DEFAULT '',
  months_before   INTEGER NOT NULL DEFAULT 1 CHECK (months_before BETWEEN 0 AND 24),
  months_after    INTEGER NOT NULL DEFAULT 3 CHECK (months_after BETWEEN 0 AND 24),
  automatic_sync  INTEGER NOT NULL DEFAULT 1 CHECK (automatic_sync IN (0, 1)),
  startup_sync    INTEGER NOT NULL DEFAULT 1 CHECK (startup_sync IN (0, 1)),
  color_transfer  INTEGER NOT NULL DEFAULT 1 CHECK (color_transfer IN (0, 1)),
  contacts_last_sync_at TEXT,
  updated_at      TEXT NOT NULL
) STRICT;

-- Per-user list of contacts pushed to Google Contacts (FTC019 §3.4).
CREATE TABLE contact_sync_list (
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  contact_id  INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  added_at    TEXT NOT NULL,
  PRIMARY KEY (user_id, contact_id)
) WITHOUT ROWID, STRICT;
CREATE INDEX contact_sync_list_contact ON contact_sync_list(contact_id);

-- Settings of the CRM file, one JSON value per key.
CREATE TABLE app_settings (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL CHECK (json_valid(value))
) WITHOUT ROWID, STRICT;

-- Google account of each user (filled by the connection feature). Secrets are stored encrypted.
CREATE TABLE google_accounts (
  user_id               INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  email                 TEXT NOT NULL,
  refresh_token_sealed  BLOB,
  scopes                TEXT NOT NULL DEFAULT '',
  connected_at          TEXT NOT NULL
) STRICT;

-- Sync state. A link ties a CRM record to its Google counterpart for one user, with Google's
-- etag and the snapshot of the synced fields as they were after the last sync (the merge base).
CREATE TABLE sync_links (
  id          INTEGER PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind        TEXT NOT NULL CHECK (kind IN ('event', 'contact')),
  crm_id      INTEGER NOT NULL,
  google_id   TEXT NOT NULL,
  etag        TEXT,
  snapshot    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(snapshot)),
  synced_at   TEXT NOT NULL,
  UNIQUE (user_id, kind, crm_id),
  UNIQUE (user_id, kind, google_id)
) STRICT;

CREATE TABLE sync_tokens (
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind        TEXT NOT NULL CHECK (kind IN ('calendar', 'contacts')),
  scope       TEXT NOT NULL DEFAULT '',
  token       TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (user_id, kind, scope)
) WITHOUT ROWID, STRICT;

-- Every CRM change to an action or a contact, written in the same transaction as the change.
CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  entity          TEXT NOT NULL CHECK (entity IN ('action', 'contact')),
  entity_id       INTEGER NOT NULL,
  owner_id        INTEGER,
  op              TEXT NOT NULL CHECK (op IN ('create', 'update', 'delete')),
  changed_fields  TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(changed_fields)),
  created_at      TEXT NOT NULL
) STRICT;
CREATE INDEX outbox_entity ON outbox(entity, entity_id);

-- Deletions seen in Google, waiting for the user's confirmation in the CRM.
CREATE TABLE pending_deletions (
  id           INTEGER PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  action_id    INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
  google_id    TEXT NOT NULL,
  detected_at  TEXT NOT NULL,
  UNIQUE (user_id, action_id)
) STRICT;

CREATE TABLE sync_runs (
  id           INTEGER PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  started_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
  scope        TEXT NOT NULL CHECK (scope IN ('agenda', 'contacts')),
  trigger      TEXT NOT NULL CHECK (trigger IN ('automatic', 'startup', 'manual', 'agenda')),
  started_at   TEXT NOT NULL,
  finished_at  TEXT,
  status       TEXT NOT NULL CHECK (status IN ('running', 'ok', 'partial', 'failed', 'cancelled')),
  summary      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(summary))
) STRICT;
CREATE INDEX sync_runs_user ON sync_runs(user_id, started_at);

CREATE TABLE sync_log (
  id          INTEGER PRIMARY KEY,
  run_id      INTEGER NOT NULL REFERENCES sync_runs(id) ON DELETE CASCADE,
  level       TEXT NOT NULL CHECK (level IN ('info', 'warning', 'error')),
  entity      TEXT NOT NULL CHECK (entity IN ('action', 'contact', 'run')),
  crm_id      INTEGER,
  google_id   TEXT,
  message     TEXT NOT NULL,
  created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX sync_log_run ON sync_log(run_id);
`,
};
