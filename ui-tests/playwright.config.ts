/**
 * Playwright (Galata) configuration for the UI tests: Debian's Chromium against JupyterLab served
 * through a real clusterhub. Start them with `bash ui-tests/run.sh`, which creates the data folder,
 * the rendered hub config and the test user, and sets the CLUSTERHUB_UI_* variables read here.
 *
 * The hub is the web server (not galata's default `jupyter lab`): the tests log in through it
 * and start a server from its home page, as a person would.
 */
import { defineConfig, type PlaywrightTestConfig } from '@playwright/test';
import * as path from 'node:path';

// Galata's defaults for JupyterLab (timeouts, viewport, trace); its module has no typings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const galata = require('@jupyterlab/galata/lib/playwright-config') as PlaywrightTestConfig;

const repoRoot = path.resolve(__dirname, '..');
const port = process.env.CLUSTERHUB_UI_PORT || '18765';
const hubConfig = process.env.CLUSTERHUB_UI_CONFIG || path.join(__dirname, '.data', 'hub-config.yaml');
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  ...galata,
  testDir: './tests',
  outputDir: './test-results',
  // One hub, one user, one server: tests run one at a time.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 180_000,
  expect: { timeout: 30_000 },
  reporter: [['list'], ['html', { open: 'never', outputFolder: './playwright-report' }], ['json', { outputFile: '../.cache/ui-results.json' }]],
  use: {
    ...galata.use,
    baseURL,
    browserName: 'chromium',
    // Debian's Chromium: Playwright cannot download its own browser here. No video (it needs
    // Playwright's ffmpeg download); traces and screenshots are kept for failures.
    launchOptions: {
      executablePath: process.env.CLUSTERHUB_UI_CHROMIUM || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
    video: 'off',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  webServer: {
    command: `node packages/hub-service/lib/cli/main.js serve --config ${JSON.stringify(hubConfig)}`,
    cwd: repoRoot,
    url: `${baseURL}/hub/api`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
  },
});
