/**
 * `npm run bench -- NAME`: benchmarks print numbers measured in one run; they never fail a
 * build on timing. Each benchmark lives in bench/NAME.ts and exports `run(args)`.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';

const dir = import.meta.dirname;
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'stats.ts'].includes(f))
  .map((f) => f.slice(0, -3));
const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(`Usage: npm run bench -- NAME   (available: ${available.join(', ')})`);
  process.exit(2);
}
const mod = (await import(path.join(dir, `${name}.ts`))) as { run: (args: string[]) => Promise<void> };
await mod.run(args);
