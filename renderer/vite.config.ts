import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { CONTENT_SECURITY_POLICY } from '../shared/csp';

// This file's folder, without Node built-ins (the renderer layer may not import them).
const root = decodeURIComponent(new URL('.', import.meta.url).pathname);

/**
 * The page's CSP <meta>, from the one policy in shared/csp.ts (the browser host and Electron
 * send the same policy as a header). `frame-ancestors` is dropped from the meta only: browsers
 * ignore it there and log an error; the header carries it.
 */
const metaPolicy = CONTENT_SECURITY_POLICY.split(';')
  .map((d) => d.trim())
  .filter((d) => d && !d.startsWith('frame-ancestors'))
  .join('; ');

function cspMeta(): Plugin {
  return {
    name: 'crm-csp-meta',
    transformIndexHtml: {
      order: 'pre',
      handler: (html) => html.replace('%CRM_CSP%', metaPolicy),
    },
  };
}

export default defineConfig({
  root,
  // Relative asset URLs: the same build loads from the browser host and from file:// in Electron.
  base: './',
  plugins: [cspMeta(), react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 1024,
  },
});
