import { test, expect, waitForHydration } from './fixtures';

test('home page lists seeded projects and hydrates', async ({ page }) => {
  const response = await page.goto('/');
  expect(response?.status()).toBe(200);
  await expect(page).toHaveTitle(/Moa/);

  const projects = page.getByRole('list', { name: 'Projects' });
  // The demo project that raised the most comes first.
  const firstCard = projects.getByRole('listitem').first();
  await expect(firstCard.getByRole('heading')).toHaveText('커피 드립 세트');
  await expect(projects.getByRole('heading', { name: 'Candle wax melts' })).toBeVisible();
  await expect(firstCard).toContainText('Raised');
  await expect(firstCard).toContainText(/₩[\d,]+/);
  await expect(firstCard).toContainText(/\d+%/);
  await expect(firstCard).toContainText(/D-\d+|D-Day/);

  // The server's HTML alone looks the same: only a hydrated page filters the
  // list as you type (the box has no Enter pressed, so no form is sent), and
  // it does so in place, without loading a new document.
  await waitForHydration(page);
  await page.evaluate(() => ((window as unknown as { moaMarker: number }).moaMarker = 11));
  await page.getByRole('searchbox', { name: 'Search projects by title' }).fill('camping');
  await expect(page).toHaveURL(/\/\?q=camping$/);
  await expect(projects.getByRole('heading')).toHaveText(['Camping lantern mini', 'Mini camping stove']);
  await expect(page.getByRole('status')).toHaveText('2 projects · page 1 of 1');
  expect(await page.evaluate(() => (window as unknown as { moaMarker?: number }).moaMarker)).toBe(11);
});

test('sorting switches order in place, without reloading the page', async ({ page }) => {
  await page.goto('/');
  await waitForHydration(page);
  // Survives only if the browser does not load a new document.
  await page.evaluate(() => ((window as unknown as { moaMarker: number }).moaMarker = 42));

  const titles = page.getByRole('list', { name: 'Projects' }).getByRole('heading');
  const byTotal = await titles.allTextContents();

  const newest = page.getByRole('link', { name: 'Newest' });
  await newest.click();
  await expect(page).toHaveURL(/\?sort=created$/);
  await expect(newest).toHaveAttribute('aria-current', 'page');
  await expect.poll(() => titles.allTextContents()).not.toEqual(byTotal);
  // The newest demo project is listed first among the funding ones.
  await expect(titles.first()).toHaveText('Smart bike lock');

  expect(await page.evaluate(() => (window as unknown as { moaMarker?: number }).moaMarker)).toBe(42);

  await page.goBack();
  await expect(page).toHaveURL(/\/$/);
  await expect.poll(() => titles.allTextContents()).toEqual(byTotal);
});

test.describe('an unknown address', () => {
  // The 404 page's own response, and only that, may be logged.
  test.use({ allowedConsoleErrors: /status of 404 .* @ http:\/\/[^/]+\/no\/such\/page$/ });

  test('answers 404 with a hydrated way back', async ({ page }) => {
    const response = await page.goto('/no/such/page');
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
    await waitForHydration(page);
    await page.getByRole('link', { name: 'Back to all projects' }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole('list', { name: 'Projects' })).toBeVisible();
  });
});
