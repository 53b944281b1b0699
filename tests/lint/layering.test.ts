import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const eslint = new ESLint({ cwd: root });

async function layeringErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'local/code-layering').map((m) => m.message);
}

describe('the code-layering lint rule', () => {
  it.each([
    ['shared/contract/x.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;", /Layer 'shared' runs outside Node and may not import the Node built-in 'node:fs'/],
    ['shared/contract/x.ts', "import { Core } from '../../electron/core/app';\nexport const x = Core;", /Layer 'shared' may not import from layer 'core'/],
    ['shared/contract/x.ts', "import React from 'react';\nexport const x = React;", /Layer 'shared' may not import the package 'react'/],
    ['renderer/src/x.ts', "import { Core } from '../../electron/core/app';\nexport const x = Core;", /Layer 'renderer' may not import from layer 'core'/],
    ['renderer/src/x.ts', "import path from 'node:path';\nexport const x = path;", /Layer 'renderer' runs outside Node/],
    ['renderer/src/x.ts', "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;", /Layer 'renderer' may not import the package 'electron'/],
    ['electron/core/x.ts', "import { app } from 'electron';\nexport const x = app;", /Layer 'core' may not import the package 'electron'/],
    ['electron/core/x.ts', "import { startHost } from '../host/server';\nexport const x = startHost;", /Layer 'core' may not import from layer 'host'/],
    ['electron/preload/x.ts', "import { Core } from '../core/app';\nexport const x = Core;", /Layer 'preload' may not import from layer 'core'/],
    ['emulator/x.ts', "import { channels } from '../shared/contract';\nexport const x = channels;", /Layer 'emulator' may not import from layer 'shared'/],
    ['tests/x.test.ts', "import { app } from 'electron';\nexport const x = app;", /Layer 'tests' may not import the package 'electron'/],
  ])('%s: refuses %s', async (file, code, message) => {
    const errors = await layeringErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });

  it.each([
    ['electron/main/x.ts', "import { app } from 'electron';\nimport { Core } from '../core/app';\nexport const x = [app, Core];"],
    ['electron/host/x.ts', "import http from 'node:http';\nimport { Core } from '../core/app';\nimport { channels } from '../../shared/contract';\nexport const x = [http, Core, channels];"],
    ['renderer/src/x.ts', "import { create } from 'zustand';\nimport { channels } from '../../shared/contract';\nexport const x = [create, channels];"],
    ['shared/x.ts', "import { z } from 'zod';\nexport const x = z;"],
  ])('%s: allows its own imports', async (file, code) => {
    expect(await layeringErrors(file, code)).toEqual([]);
  });
});

describe('tests and the Electron layers', () => {
  it('may import the Electron-free modules of main and preload', async () => {
    expect(await layeringErrors('tests/x.test.ts', "import { registerIpc } from '../electron/main/ipc';\nexport const x = registerIpc;")).toEqual([]);
    expect(await layeringErrors('tests/x.test.ts', "import { buildPreloadApi } from '../electron/preload/api';\nexport const x = buildPreloadApi;")).toEqual([]);
  });

  it('may not import a module that loads electron', async () => {
    expect(await layeringErrors('tests/x.test.ts', "import '../electron/main/main';")).toEqual([
      "Layer 'tests' may not import from layer 'main' (../electron/main/main). See docs/ARCHITECTURE.md.",
    ]);
  });
});
