import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

// Playwright's own browser builds cannot be downloaded on every machine: use Debian's Chromium
// when it is there (`.ci/run` installs it), else whatever Playwright has.
const systemChromium = '/usr/bin/chromium';

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  outputDir: './artifacts/results',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    headless: true,
    viewport: { width: 1280, height: 800 },
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
    screenshot: 'only-on-failure',
    launchOptions: {
      ...(existsSync(systemChromium) ? { executablePath: systemChromium } : {}),
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    },
  },
});
