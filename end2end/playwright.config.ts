import { defineConfig, devices } from '@playwright/test';

// `make test` builds the release binary, creates a fresh database with demo
// data and picks a free port before it calls Playwright.
const port = Number(process.env.MOA_E2E_PORT ?? 3917);
const databaseUrl =
  process.env.MOA_E2E_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/moa_e2e';
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 2,
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      // Debian's Chromium; Playwright's own browser download cannot work here.
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'chromium', use: { ...devices['Desktop Chrome'] } },
    { name: 'mobile', use: { ...devices['Pixel 7'] } },
  ],
  webServer: {
    // Serve the binary and the WASM of the same release build.
    command: './target/release/server serve',
    cwd: '..',
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      DATABASE_URL: databaseUrl,
      REDIS_URL: process.env.MOA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      MOA_ADDR: `127.0.0.1:${port}`,
      MOA_PUBLIC_ORIGIN: baseURL,
      // Every browser test signs up from 127.0.0.1; the per-address sign-up
      // limit must not make them fail.
      MOA_SIGNUPS_PER_HOUR: '10000',
      RUST_LOG: 'warn',
    },
  },
});
