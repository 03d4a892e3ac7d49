import { test, expect, waitForHydration } from './fixtures';
import { header, logInAsDemo } from './journeys';

test('a publisher sees every one of their projects, and no backings', async ({ page }) => {
  await logInAsDemo(page, 'demo_publisher_4');
  await header(page).getByRole('link', { name: 'My projects' }).click();
  await expect(page).toHaveURL(/\/me\/projects$/);
  const rows = page.getByRole('main').getByRole('row');
  await expect(rows).toHaveCount(7); // the header row and six projects
  // A cancelled project is listed for its publisher (its page and its
  // history stay), and only projects that are not funding can be deleted;
  // funding ones can be cancelled instead.
  const cancelled = rows.filter({ hasText: 'Cancelled' });
  await expect(cancelled).toHaveCount(1);
  await expect(cancelled.getByRole('link', { name: /^History of / })).toBeVisible();
  await cancelled.getByText('Delete', { exact: true }).click();
  await expect(cancelled.getByRole('button', { name: /^Yes, delete / })).toBeVisible();
  for (const funding of await rows.filter({ hasText: 'Funding' }).all()) {
    await expect(funding.getByRole('button')).toHaveCount(0);
    await expect(funding.getByText('Cancel project')).toBeVisible();
    await expect(funding.getByText('Delete', { exact: true })).toHaveCount(0);
  }

  // A funding project's title leads to its page.
  await rows.filter({ hasText: 'Funding' }).first().getByRole('link').first().click();
  await expect(page).toHaveURL(/\/posts\/\d+$/);

  await page.goto('/me/backings');
  await waitForHydration(page);
  await expect(page.getByRole('alert')).toHaveText('Only backer accounts can do this.');
});

test('a backer sees their backings and their pocket, and no publisher list', async ({ page }) => {
  await logInAsDemo(page, 'demo_backer_1');
  await expect(header(page).getByRole('link', { name: 'Pocket balance' })).toHaveText('₩300,000');
  await header(page).getByRole('link', { name: 'My backings' }).click();
  await expect(page).toHaveURL(/\/me\/backings$/);
  await expect(page.getByRole('main').getByRole('row').nth(1)).toContainText('₩');

  await page.goto('/me/projects');
  await waitForHydration(page);
  await expect(page.getByRole('alert')).toHaveText('Only publisher accounts can do this.');
  await expect(page.getByRole('main').getByRole('row')).toHaveCount(0);
});
