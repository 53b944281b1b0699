/**
 * The emulator in a process of its own, for benchmarks: a real Google does not share the
 * client's CPU, so a benchmark that timed the emulator's work on the same thread as the engine's
 * would charge the engine for it (and hide what overlaps). Same options and admin API as
 * startEmulator; the runtime itself (`emulator`, `clock`) stays in the other process.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { adminClient, type RunningEmulator, type StartOptions } from './index';

export async function startEmulatorProcess(opts: Omit<StartOptions, 'now' | 'maxContactsPerAccount'> = {}): Promise<RunningEmulator> {
  const args = ['--port', String(opts.port ?? 0), '--stop-with-stdin'];
  if (opts.dataDir) args.push('--data', opts.dataDir);
  if (opts.latencyMs !== undefined) args.push('--latency-ms', String(opts.latencyMs));
  if (opts.quotaPerMinute !== undefined) args.push('--quota-per-minute', String(opts.quotaPerMinute));
  if (opts.projectQuotaPerMinute !== undefined) args.push('--project-quota-per-minute', String(opts.projectQuotaPerMinute));
  if (opts.autoConsent) args.push('--auto-consent');
  const child = spawn(process.execPath, ['--max-semi-space-size=64', '--import', 'tsx', path.join(import.meta.dirname, 'main.ts'), ...args], {
    cwd: path.join(import.meta.dirname, '..'),
    // stdin is a pipe the child watches: when this process ends, however it ends, the emulator stops.
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('The Google emulator did not start within 30 s.')), 30_000);
    child.stdout.setEncoding('utf8');
    const onData = (chunk: string) => {
      out += chunk;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The Google emulator stopped (exit ${code}) before listening.`));
    });
  });
  const white = (what: string) => () => {
    throw new Error(`The emulator's ${what} lives in its own process: use its admin API.`);
  };
  let closed: Promise<void> | null = null;
  return {
    ...adminClient(url),
    port: Number(new URL(url).port),
    get emulator(): never {
      return white('runtime')() as never;
    },
    clock: { advance: white('clock'), now: white('clock') },
    close() {
      closed ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin.end();
      });
      return closed;
    },
  };
}
