import { defineConfig, devices } from '@playwright/test';

// `make test` builds the release binary, creates two fresh databases with
// demo data and picks two free ports before it calls Playwright. Two servers
// on the same build: most tests only read the first, whose lists, counts and
// orders stay as the demo made them; journeys that publish or pay use the
// second (`tests/servers.ts`); journeys that move the clock past end dates
// use a third, over a database of their own.
import { readsURL, settleDatabaseUrl, settleURL, writesURL } from './tests/servers';

const databaseUrl =
  process.env.MOA_E2E_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/moa_e2e';
const writesDatabaseUrl =
  process.env.MOA_E2E_WRITES_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/moa_e2e_writes';
const baseURL = readsURL;

function server(url: string, database: string) {
  return {
    // Serve the binary and the WASM of the same release build.
    command: './target/release/server serve',
    cwd: '..',
    url: `${url}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe' as const,
    stderr: 'pipe' as const,
    env: {
      DATABASE_URL: database,
      REDIS_URL: process.env.MOA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      MOA_ADDR: url.replace('http://', ''),
      MOA_PUBLIC_ORIGIN: url,
      // Every browser test signs up from 127.0.0.1; the per-address sign-up
      // limit must not make them fail.
      MOA_SIGNUPS_PER_HOUR: '10000',
      // Three servers here: they would all want the default metrics port.
      MOA_METRICS_ADDR: 'off',
      RUST_LOG: 'warn',
    },
  };
}

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
    // English unless a test asks for Korean (`test.use({ locale: 'ko-KR' })`):
    // the browser's language decides Moa's.
    locale: 'en-US',
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
  webServer: [
    server(readsURL, databaseUrl),
    server(writesURL, writesDatabaseUrl),
    server(settleURL, settleDatabaseUrl),
  ],
});
