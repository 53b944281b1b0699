import path from 'node:path';

/** The repository root (the browser host and the demo run from a checkout, never packaged). */
export const PROJECT_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
export const RENDERER_DIR = path.join(PROJECT_ROOT, 'dist', 'renderer');
