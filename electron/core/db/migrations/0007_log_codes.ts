/**
 * 0007 — sync log lines carry their code (issue 7).
 *
 * - `sync_log.code`, `sync_log.params`: the line's stable code and its params as JSON
 *   (electron/core/sync/logText.ts), written by the engines with the English `message` they
 *   render, so the UI says each line in the user's language without recognising the sentence.
 *   Both are nullable: rows written before this migration keep NULL and are read as before, their
 *   sentence recognised by logText.ts's patterns; nothing needs rewriting. `params` is NULL for a
 *   line without params, and the CHECK keeps anything but JSON out (readers still parse it, and
 *   fall back to the message when it does not fit).
 */
export default {
  id: 7,
  name: 'log_codes',
  sql: /* sql */ `
ALTER TABLE sync_log ADD COLUMN code TEXT;
ALTER TABLE sync_log ADD COLUMN params TEXT CHECK (params IS NULL OR json_valid(params));
`,
};
