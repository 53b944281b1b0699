// `npm start`: runs the Electron app where Electron can run; otherwise says so in one line.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const electronDir = path.resolve('node_modules', 'electron');
const binary = () => {
  const pathFile = path.join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const full = path.join(electronDir, 'dist', readFileSync(pathFile, 'utf8'));
  return existsSync(full) ? full : null;
};

if (!binary()) {
  // Electron 45 downloads its binary on first launch; try once, quietly, with a time limit.
  spawnSync(process.execPath, [path.join(electronDir, 'install.js')], { stdio: 'ignore', timeout: 180_000 });
}
const electron = binary();
if (!electron) {
  console.error('Electron cannot run on this machine (its binary is not installed and could not be downloaded): run `npm run demo` to use CRM Companion in your browser.');
  process.exit(1);
}
for (const step of ['build:renderer', 'build:electron']) {
  const r = spawnSync('npm', ['run', '-s', step], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const run = spawnSync(electron, ['.'], { stdio: 'inherit' });
process.exit(run.status ?? 0);
