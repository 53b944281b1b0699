/**
 * CLI: `npm run emulator -- --port N [--data DIR] [--latency-ms N] [--quota-per-minute N]
 * [--project-quota-per-minute N] [--auto-consent] [--stop-with-stdin]`. Prints
 * `listening on http://127.0.0.1:N`. With --stop-with-stdin it stops when its standard input
 * closes: a parent that starts it on a pipe (process.ts) never leaves it behind, even when killed.
 */
import { parseArgs } from 'node:util';
import { startEmulator } from './index';

const USAGE = 'usage: npm run emulator -- --port N [--data DIR] [--latency-ms N] [--quota-per-minute N] [--project-quota-per-minute N] [--auto-consent] [--stop-with-stdin]';

function fail(message: string): never {
  console.error(`emulator: ${message}\n${USAGE}`);
  process.exit(2);
}

function int(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) fail(`--${name} must be an integer between ${min} and ${max}, got "${v}"`);
  return Number(v);
}

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      port: { type: 'string' },
      data: { type: 'string' },
      'latency-ms': { type: 'string' },
      'quota-per-minute': { type: 'string' },
      'project-quota-per-minute': { type: 'string' },
      'auto-consent': { type: 'boolean' },
      'stop-with-stdin': { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (e) {
  fail(e instanceof Error ? e.message : String(e));
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const str = (k: string): string | undefined => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
const emu = await startEmulator({
  port: int('port', str('port'), 0, 65535) ?? 0,
  dataDir: str('data'),
  latencyMs: int('latency-ms', str('latency-ms'), 0, 60_000),
  quotaPerMinute: int('quota-per-minute', str('quota-per-minute'), 1, 10_000_000),
  projectQuotaPerMinute: int('project-quota-per-minute', str('project-quota-per-minute'), 1, 10_000_000),
  autoConsent: values['auto-consent'] === true,
}).catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));
console.log(`listening on ${emu.url}`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void emu.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
if (values['stop-with-stdin'] === true) {
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}
