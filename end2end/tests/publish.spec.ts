import type { Page } from '@playwright/test';
import { test, expect, waitForHydration } from './fixtures';
import { header, submitSignUp, uniqueName } from './journeys';
import { writesURL } from './servers';

// Publishing changes what every list shows: on the server for writes.
test.use({ baseURL: writesURL });

/** A day a month from now, as the date input takes it (YYYY-MM-DD). */
function inAMonth() {
  const date = new Date(Date.now() + 30 * 24 * 3600 * 1000);
  return date.toISOString().slice(0, 10);
}

async function signUpAsPublisher(page: Page, prefix: string) {
  const username = uniqueName(prefix);
  await page.goto('/signup');
  await page.getByLabel('publish projects').check();
  await submitSignUp(page, username);
  await expect(header(page)).toContainText(username);
  return username;
}

async function registerPocket(page: Page) {
  await page.getByLabel('Bank').selectOption({ label: '신한은행' });
  await page.getByLabel('Account number').fill('110-123-456789');
  await page.getByRole('button', { name: 'Register pocket' }).click();
}

async function fillProject(page: Page, title: string) {
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Publisher name').fill('Studio Playwright');
  await page.getByLabel('Description').fill('## Folded light\n\nEach lantern is **folded by hand**.');
  await page.getByLabel('Target amount (₩)').fill('1,000,000');
  await page.getByLabel('Price per backing (₩)').fill('15,000');
  await page.getByLabel('End date').fill(inAMonth());
}

test('a publisher registers a pocket, publishes, finds and edits the project', async ({ page }) => {
  await page.goto('/');
  await waitForHydration(page);
  await signUpAsPublisher(page, 'publisher');

  // No pocket yet: the form sends the publisher to register one, and back.
  await header(page).getByRole('link', { name: 'Publish', exact: true }).click();
  await expect(page).toHaveURL(/\/posts\/new$/);
  await page.getByRole('main').getByRole('link', { name: 'Register a pocket' }).click();
  await expect(page).toHaveURL(/\/pocket\?next=\/posts\/new$/);
  await registerPocket(page);
  await expect(page).toHaveURL(/\/posts\/new$/);

  const title = uniqueName('Lantern');
  await fillProject(page, title);
  // Checked as you type, by the same rules as the server.
  const target = page.getByLabel('Target amount (₩)');
  await target.fill('9,999');
  await expect(page.getByText('The target must be from ₩10,000 to ₩9,999,999,999.')).toBeVisible();
  await expect(target).toHaveAttribute('aria-invalid', 'true');
  await target.fill('1,000,000');
  await expect(page.getByText('The target must be from ₩10,000 to ₩9,999,999,999.')).toHaveCount(0);
  // The description as the project page will show it.
  const preview = page.getByRole('region', { name: 'Preview' });
  await expect(preview.getByRole('heading', { name: 'Folded light' })).toBeVisible();
  await expect(preview.locator('strong')).toHaveText('folded by hand');

  await page.getByRole('button', { name: 'Publish project' }).click();
  await expect(page).toHaveURL(/\/posts\/\d+$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  const projectUrl = page.url();

  // Everyone finds it at once: among the newest funding projects on the
  // home page (other tests may publish at the same moment), and by search.
  await page.goto('/?sort=created');
  await expect(
    page.getByRole('list', { name: 'Projects' }).getByRole('heading', { name: title, exact: true }),
  ).toBeVisible();
  await page.goto(`/?q=${encodeURIComponent(title)}`);
  await expect(page.getByRole('list', { name: 'Projects' }).getByRole('heading')).toHaveText([title]);

  // Its publisher edits the title; the target is there to read, not to change.
  await page.goto('/me/projects');
  await waitForHydration(page);
  await page.getByRole('link', { name: `Edit ${title}` }).click();
  await expect(page).toHaveURL(/\/posts\/\d+\/edit$/);
  await expect(page.getByText('₩1,000,000', { exact: true })).toBeVisible();
  await expect(page.getByLabel('Target amount')).toHaveCount(0);
  await page.getByLabel('Title').fill(`${title} (large)`);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page).toHaveURL(projectUrl);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`${title} (large)`);
});

test('a backer has no way to publish', async ({ page }) => {
  const username = uniqueName('backer');
  await page.goto('/signup');
  await waitForHydration(page);
  await submitSignUp(page, username);
  await expect(header(page)).toContainText(username);
  await expect(header(page).getByRole('link', { name: 'Publish', exact: true })).toHaveCount(0);

  await page.goto('/posts/new');
  await waitForHydration(page);
  await expect(page.getByRole('alert')).toHaveText('Only publisher accounts can do this.');
  await expect(page.getByLabel('Title')).toHaveCount(0);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the publishing form still publishes', async ({ page }) => {
    await signUpAsPublisher(page, 'nojs_pub');
    await page.goto('/pocket?next=/posts/new');
    await registerPocket(page);
    await expect(page).toHaveURL(/\/posts\/new$/);

    const title = uniqueName('Scarf');
    await fillProject(page, title);
    await page.getByRole('button', { name: 'Publish project' }).click();
    await expect(page).toHaveURL(/\/posts\/\d+$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  });
});
