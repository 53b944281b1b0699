// @ts-check
/**
 * `code-layering`: the import boundaries of the project, checked on every file.
 *
 * Written here rather than taken from a plugin because the table below *is* the architecture
 * (docs/ARCHITECTURE.md mirrors it): one readable map from a folder to what it may import,
 * covering relative imports, npm packages and Node built-ins alike, in the spirit of VS Code's
 * own `code-layering` rule. Each file's environment follows from its folder:
 * - shared/        pure TypeScript: zod only; no Node, no Electron, no DOM (its tsconfig has no DOM lib)
 * - electron/core  plain Node: never `electron`, never React
 * - electron/host, electron/cli  plain Node transports over the core
 * - electron/main  Electron main process: the only place besides preload that imports `electron`
 * - electron/preload  sandboxed preload: `electron` and shared/ only
 * - renderer/      the browser: shared/ and browser packages; no Node built-ins, no core
 * - emulator/      the Google emulator: Node only, nothing of the app
 */
import path from 'node:path';
import { builtinModules } from 'node:module';
import { existsSync, readFileSync, statSync } from 'node:fs';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

/** Layers, most specific first. `allow` lists layers it may import; `packages` what npm may be used. */
const LAYERS = [
  { name: 'shared', dir: 'shared', allow: ['shared'], packages: ['zod'], node: false },
  { name: 'core', dir: 'electron/core', allow: ['shared', 'core'], packages: '*', deny: ['electron', 'react', 'react-dom'], node: true },
  { name: 'host', dir: 'electron/host', allow: ['shared', 'core', 'host'], packages: '*', deny: ['electron', 'react', 'react-dom'], node: true },
  { name: 'cli', dir: 'electron/cli', allow: ['shared', 'core', 'cli'], packages: '*', deny: ['electron', 'react', 'react-dom'], node: true },
  { name: 'main', dir: 'electron/main', allow: ['shared', 'core', 'main'], packages: '*', deny: ['react', 'react-dom'], node: true },
  { name: 'preload', dir: 'electron/preload', allow: ['shared', 'preload'], packages: ['electron', 'zod'], node: false },
  { name: 'renderer', dir: 'renderer', allow: ['shared', 'renderer'], packages: '*', deny: ['electron', 'better-sqlite3'], node: false },
  { name: 'emulator', dir: 'emulator', allow: ['emulator'], packages: '*', deny: ['electron', 'react', 'react-dom'], node: true },
  { name: 'tests', dir: 'tests', allow: '*', packages: '*', deny: ['electron'], node: true },
  { name: 'e2e', dir: 'e2e', allow: '*', packages: '*', deny: ['electron'], node: true },
  { name: 'bench', dir: 'bench', allow: '*', packages: '*', deny: ['electron'], node: true },
];

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** @param {string} file */
function layerOf(file) {
  const rel = path.relative(ROOT, file).split(path.sep).join('/');
  return LAYERS.find((l) => rel === l.dir || rel.startsWith(`${l.dir}/`));
}

/**
 * Whether a main/preload file loads `electron` at run time (a value import, not `import type`).
 * Tests may use the Electron-free modules of those layers (ipc.ts, api.ts, security.ts), whose
 * Electron objects are passed in; importing one that loads `electron` would try the download.
 * @param {string} target
 */
function loadsElectron(target) {
  const file = [target, `${target}.ts`, path.join(target, 'index.ts')].find((f) => existsSync(f) && statSync(f).isFile());
  if (!file) return true;
  const source = readFileSync(file, 'utf8');
  return /^\s*import\s+(?!type\b)[^;]*?from\s+['"]electron['"]/m.test(source) || /require\(\s*['"]electron['"]\s*\)/.test(source);
}

/** @param {string} spec */
function packageName(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0] ?? spec;
}

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the import boundaries between shared/, electron/*, renderer/ and emulator/' },
    schema: [],
    messages: {
      layer: "Layer '{{from}}' may not import from layer '{{to}}' ({{spec}}). See docs/ARCHITECTURE.md.",
      outside: "Layer '{{from}}' may not import '{{spec}}', which is outside every layer.",
      node: "Layer '{{from}}' runs outside Node and may not import the Node built-in '{{spec}}'.",
      pkg: "Layer '{{from}}' may not import the package '{{spec}}'.",
    },
  },
  create(context) {
    const from = layerOf(context.filename);
    if (!from) return {};
    /** @param {any} node @param {string} spec */
    function check(node, spec) {
      if (typeof spec !== 'string') return;
      if (spec.startsWith('.') || spec.startsWith('/')) {
        const target = path.resolve(path.dirname(context.filename), spec);
        const to = layerOf(target);
        if (!to) {
          // Config files at the root (vite/vitest) are fine for tooling layers only.
          if (from.allow !== '*') context.report({ node, messageId: 'outside', data: { from: from.name, spec } });
          return;
        }
        if (from.allow !== '*' && !from.allow.includes(to.name)) {
          context.report({ node, messageId: 'layer', data: { from: from.name, to: to.name, spec } });
        }
        if (from.allow === '*' && from.deny?.includes('electron') && (to.name === 'main' || to.name === 'preload') && loadsElectron(target)) {
          context.report({ node, messageId: 'layer', data: { from: from.name, to: to.name, spec } });
        }
        return;
      }
      if (NODE_BUILTINS.has(spec) || NODE_BUILTINS.has(spec.split('/')[0] ?? '')) {
        if (!from.node) context.report({ node, messageId: 'node', data: { from: from.name, spec } });
        return;
      }
      const pkg = packageName(spec);
      const allowed = from.packages === '*' ? !(from.deny ?? []).includes(pkg) : from.packages.includes(pkg);
      if (!allowed) context.report({ node, messageId: 'pkg', data: { from: from.name, spec } });
    }
    return {
      ImportDeclaration(node) { check(node, /** @type {string} */ (node.source.value)); },
      ExportNamedDeclaration(node) { if (node.source) check(node, /** @type {string} */ (node.source.value)); },
      ExportAllDeclaration(node) { check(node, /** @type {string} */ (node.source.value)); },
      ImportExpression(node) { if (node.source.type === 'Literal') check(node, /** @type {string} */ (node.source.value)); },
      CallExpression(node) {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal') {
          check(node, /** @type {string} */ (node.arguments[0].value));
        }
      },
    };
  },
};

export default { rules: { 'code-layering': rule } };
