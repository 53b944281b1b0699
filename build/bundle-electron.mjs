// Bundles the Electron main process and the preload into dist/electron (CommonJS, as Electron
// loads a sandboxed preload). better-sqlite3 stays external: it is a native module, rebuilt for
// Electron's ABI only when packaging (electron-builder's install-app-deps), never on npm install.
// sharp stays external too: it loads its prebuilt libvips binding (@img/sharp-<platform>, N-API,
// so no rebuild for Electron) from node_modules at run time.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  sourcemap: true,
  external: ['electron', 'better-sqlite3', 'sharp'],
  logLevel: 'warning',
};

await build({ ...common, entryPoints: ['electron/main/main.ts'], outfile: 'dist/electron/main.cjs' });
await build({ ...common, entryPoints: ['electron/preload/preload.ts'], outfile: 'dist/electron/preload.cjs' });
console.log('Bundled dist/electron/main.cjs and dist/electron/preload.cjs');
