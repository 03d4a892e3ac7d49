import { test, expect, waitForHydration } from './fixtures';

/** cargo-leptos names hashed files `<stem>.<md5 in unpadded base64url>.<ext>`. */
const HASHED = /\/pkg\/[^/]+\.[A-Za-z0-9_-]{22}\.(wasm|js|css)$/;

test('built files are content-hashed, sent precompressed and kept for good', async ({ page, request }) => {
  const built: string[] = [];
  page.on('response', (response) => {
    if (new URL(response.url()).pathname.startsWith('/pkg/')) built.push(response.url());
  });
  await page.goto('/');
  await waitForHydration(page);

  const kinds = new Set(built.map((url) => url.split('.').pop()));
  expect([...kinds].sort()).toEqual(expect.arrayContaining(['css', 'js', 'wasm']));
  for (const url of built) {
    expect(url, 'every built file the page loads is named by its hash').toMatch(HASHED);
  }

  for (const url of built) {
    for (const encoding of ['br', 'gzip']) {
      const response = await request.get(url, { headers: { 'accept-encoding': encoding } });
      expect(response.status(), url).toBe(200);
      const headers = response.headers();
      expect(headers['content-encoding'], `${url} as ${encoding}`).toBe(encoding);
      // A file compressed ahead of time has a known length; the on-the-fly
      // compression of pages streams without one.
      expect(Number(headers['content-length']), `${url} as ${encoding}`).toBeGreaterThan(0);
      expect(headers['cache-control'], url).toBe('public, max-age=31536000, immutable');
    }
  }
});

test('pages are compressed on the fly and only personal ones are never stored', async ({ request }) => {
  const home = await request.get('/', { headers: { 'accept-encoding': 'br' } });
  expect(home.headers()['content-encoding']).toBe('br');
  expect(home.headers()['cache-control'] ?? '').not.toContain('immutable');

  const list = await request.get('/api/v1/posts', { headers: { 'accept-encoding': 'gzip' } });
  expect(list.headers()['content-encoding']).toBe('gzip');

  const pocket = await request.get('/pocket', { maxRedirects: 0 });
  expect(pocket.headers()['cache-control']).toBe('no-store');
});

test('pages most visitors never open are fetched only when someone goes there', async ({ page }) => {
  const fetched: string[] = [];
  page.on('request', (request) => fetched.push(new URL(request.url()).pathname));
  await page.goto('/');
  await waitForHydration(page);
  expect(fetched.filter((path) => path.includes('split___')), 'the first load is the main module only').toEqual([]);

  // Client-side navigation to the log-in page fetches its module, and the page works.
  await page.evaluate(() => ((window as unknown as { moaMarker: number }).moaMarker = 7));
  await page.getByRole('banner').getByRole('link', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible();
  expect(fetched.some((path) => /\/pkg\/split___log_in_route_view_/.test(path))).toBe(true);
  expect(await page.evaluate(() => (window as unknown as { moaMarker?: number }).moaMarker)).toBe(7);
});

test('a page loaded on demand, opened directly, is never untitled while it hydrates', async ({ page }) => {
  await page.addInitScript(() => {
    const titles: string[] = [];
    (window as unknown as { moaTitles: string[] }).moaTitles = titles;
    // From the parsed server page on (while it is parsed, it has no title yet).
    document.addEventListener('DOMContentLoaded', () => {
      titles.push(document.title);
      new MutationObserver(() => titles.push(document.title)).observe(document, {
        subtree: true,
        childList: true,
        characterData: true,
      });
    });
  });
  await page.goto('/signup');
  await waitForHydration(page);
  await expect(page).toHaveTitle(/^Create an account · Moa/);
  const titles = await page.evaluate(() => (window as unknown as { moaTitles: string[] }).moaTitles);
  expect(titles.filter((title) => title.trim() === ''), `titles seen: ${JSON.stringify(titles)}`).toEqual([]);
});
