/**
 * The core's logger. Anything logged goes through `redact`, which blanks every value whose key
 * looks like a credential, so a token or a secret cannot reach a log by accident.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogSink = (line: string) => void;

const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|refresh|access_?token|code_?verifier/i;

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[…]';
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
    return out;
  }
  return value;
}

export interface Logger {
  log(level: LogLevel, message: string, data?: Record<string, unknown>): void;
}

export function createLogger(sink: LogSink = (line) => process.stderr.write(`${line}\n`), minLevel: LogLevel = 'info'): Logger {
  const order: LogLevel[] = ['debug', 'info', 'warn', 'error'];
  return {
    log(level, message, data) {
      if (order.indexOf(level) < order.indexOf(minLevel)) return;
      const entry = { at: new Date().toISOString(), level, message, ...(data ? { data: redact(data) } : {}) };
      sink(JSON.stringify(entry));
    },
  };
}
