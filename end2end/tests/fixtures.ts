import { test as base, expect } from '@playwright/test';

type Fixtures = {
  /**
   * Console errors a test expects, matched against "<text> @ <url>" (one
   * pattern; use alternation for several). Chromium logs a console error for
   * any 4xx/5xx response, including a 404 page itself or a refused form.
   */
  allowedConsoleErrors: RegExp | null;
  browserErrors: string[];
};

/**
 * Every test fails on an uncaught page error or an unexpected console error:
 * a broken hydration still shows the server's HTML, so text alone proves nothing.
 */
export const test = base.extend<Fixtures>({
  allowedConsoleErrors: [null, { option: true }],
  browserErrors: [
    async ({ page, allowedConsoleErrors }, use) => {
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() !== 'error') return;
        const described = `${message.text()} @ ${message.location().url}`;
        if (!allowedConsoleErrors?.test(described)) {
          errors.push(`console.error: ${described}`);
        }
      });
      await use(errors);
      expect(errors, 'the browser reported errors').toEqual([]);
    },
    { auto: true },
  ],
});

/** Resolves once the WASM bundle has hydrated the page. */
export async function waitForHydration(page: import('@playwright/test').Page) {
  await page.waitForFunction(() => document.documentElement.dataset.hydrated === 'true');
}

export { expect };
