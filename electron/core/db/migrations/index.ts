import initial from './0001_initial';
import syncCalendars from './0002_sync_calendars';
import actionIds from './0003_action_ids';
import googleOrigins from './0004_google_origins';
import conflictRule from './0005_conflict_rule';
import pulledLinks from './0006_pulled_links';
import logCodes from './0007_log_codes';

export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly sql: string;
}

/** Numbered, append-only. Add a file `NNNN_name.ts` and list it here; never edit a shipped one. */
export const migrations: readonly Migration[] = [initial, syncCalendars, actionIds, googleOrigins, conflictRule, pulledLinks, logCodes];
