import initial from './0001_initial';
import syncCalendars from './0002_sync_calendars';

export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly sql: string;
}

/** Numbered, append-only. Add a file `NNNN_name.ts` and list it here; never edit a shipped one. */
export const migrations: readonly Migration[] = [initial, syncCalendars];
