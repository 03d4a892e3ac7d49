import { test, expect, waitForHydration } from './fixtures';

// The demo data (server/sql/demo_data.sql): 44 projects, 41 listed
// (3 cancelled), so 5 pages of 10.

test('typing in the search box narrows the list without a reload', async ({ page }) => {
  await page.goto('/');
  await waitForHydration(page);
  await page.evaluate(() => ((window as unknown as { moaMarker: number }).moaMarker = 7));

  await page.getByRole('searchbox', { name: 'Search projects by title' }).fill('커피');
  await expect(page).toHaveURL(/\?q=%EC%BB%A4%ED%94%BC$/);
  const titles = page.getByRole('list', { name: 'Projects' }).getByRole('heading');
  await expect(titles).toHaveText(['커피 드립 세트', '커피 원두 구독']);
  await expect(page.getByRole('status')).toHaveText('2 projects · page 1 of 1');
  expect(await page.evaluate(() => (window as unknown as { moaMarker?: number }).moaMarker)).toBe(7);

  await page.getByRole('searchbox', { name: 'Search projects by title' }).fill('no such thing');
  await expect(page.getByRole('heading', { name: 'No projects match “no such thing”' })).toBeVisible();
  await page.getByRole('link', { name: 'Clear search' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('status')).toHaveText('41 projects · page 1 of 5');
});

test('paging moves through the list and keeps the order', async ({ page }) => {
  await page.goto('/?sort=created');
  await waitForHydration(page);
  const pager = page.getByRole('navigation', { name: 'Pagination' });
  const titles = page.getByRole('list', { name: 'Projects' }).getByRole('heading');
  const firstPage = await titles.allTextContents();
  expect(firstPage).toHaveLength(10);

  await pager.getByRole('link', { name: 'Next' }).click();
  await expect(page).toHaveURL(/\?sort=created&page=2$/);
  await expect(page.getByRole('status')).toHaveText('41 projects · page 2 of 5');
  await expect(pager.getByRole('link', { name: 'Page 2' })).toHaveAttribute('aria-current', 'page');
  const secondPage = await titles.allTextContents();
  expect(secondPage.filter((title) => firstPage.includes(title))).toEqual([]);

  await pager.getByRole('link', { name: 'Page 5' }).click();
  await expect(page.getByRole('status')).toHaveText('41 projects · page 5 of 5');
  await expect(titles).toHaveCount(1);
  await expect(pager.getByText('Next')).toHaveAttribute('aria-disabled', 'true');
});

test('a card opens its project, and back returns to the same list', async ({ page }) => {
  await page.goto('/?sort=created&page=2');
  await waitForHydration(page);
  const card = page.getByRole('list', { name: 'Projects' }).getByRole('link').first();
  const title = (await card.textContent()) ?? '';
  await card.click();

  await expect(page).toHaveURL(/\/posts\/\d+$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  await expect(page).toHaveTitle(`${title} · Moa 모아`);
  const funding = page.getByRole('region', { name: 'Funding' });
  await expect(funding).toContainText('Price per backing');
  await expect(funding).toContainText(/₩[\d,]+/);
  await expect(page.getByRole('region', { name: 'About this project' }).getByRole('heading', { level: 2 })).toHaveText(title);

  await page.goBack();
  await expect(page).toHaveURL(/\?sort=created&page=2$/);
  await expect(page.getByRole('status')).toHaveText('41 projects · page 2 of 5');
  await expect(page.getByRole('link', { name: 'Newest' })).toHaveAttribute('aria-current', 'page');
});

test('a page past the end offers the way back', async ({ page }) => {
  await page.goto('/?page=9');
  await waitForHydration(page);
  await expect(page.getByRole('heading', { name: 'No projects on this page' })).toBeVisible();
  await page.getByRole('link', { name: 'Back to the first page' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('status')).toHaveText('41 projects · page 1 of 5');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('search is a plain form that still works', async ({ page }) => {
    await page.goto('/?sort=created');
    const box = page.getByRole('searchbox', { name: 'Search projects by title' });
    await box.fill('camping');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page).toHaveURL(/\?q=camping&sort=created$/);
    await expect(page.getByRole('list', { name: 'Projects' }).getByRole('heading')).toHaveText([
      'Camping lantern mini',
      'Mini camping stove',
    ]);
    await expect(box).toHaveValue('camping');
  });
});

test.describe('an unknown project', () => {
  test.use({ allowedConsoleErrors: /status of 404 .* @ http:\/\/[^/]+\/posts\/999999$/ });

  test('answers 404', async ({ page }) => {
    const response = await page.goto('/posts/999999');
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  });
});

test('the API reference renders in Swagger UI and ReDoc', async ({ page }) => {
  await page.goto('/swagger');
  await expect(page.getByRole('heading', { name: /Moa API/ })).toBeVisible();
  // The endpoint itself, not the ones below it (`…/{id}/eligibility`).
  await expect(page.getByRole('button', { name: /^GET \/api\/v1\/posts\/\{id\} / })).toBeVisible();
  await expect(page.getByRole('button', { name: /^DELETE \/api\/v1\/posts\/\{id\} / })).toBeVisible();
  await expect(page.getByRole('button', { name: /^POST \/api\/v1\/posts\/\{id\}\/backings / })).toBeVisible();

  await page.goto('/redoc');
  await expect(page.getByRole('heading', { name: /Moa API/ }).first()).toBeVisible();
  await expect(page.getByRole('heading', { name: 'List funding projects' })).toBeVisible();
});
