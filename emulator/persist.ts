/**
 * `--data DIR`: the whole state in `DIR/state.json`, written atomically (temp file + rename),
 * debounced, and flushed on close, so a restart keeps accounts, events, contacts, tokens and
 * sync tokens (their signing secret is part of the state).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { State } from './state';
import { emptyState, isObject } from './state';

export class Persister {
  private timer: NodeJS.Timeout | null = null;
  private readonly file: string;

  constructor(
    dir: string,
    private readonly get: () => State,
    private readonly debounceMs = 200,
  ) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, 'state.json');
  }

  load(): State | null {
    if (!existsSync(this.file)) return null;
    const raw = JSON.parse(readFileSync(this.file, 'utf8')) as unknown;
    if (!isObject(raw) || raw.version !== 1) throw new Error(`${this.file}: not an emulator state file (version 1)`);
    return { ...emptyState(), ...(raw as unknown as State) };
  }

  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, this.debounceMs);
    this.timer.unref();
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.get()));
    renameSync(tmp, this.file);
  }
}
