import type { Page } from '@playwright/test';
import { test, expect, waitForHydration } from './fixtures';
import { backerWithMoney, header, publisherWithProject, submitSignUp, uniqueName, won } from './journeys';
import { settleURL, writesURL } from './servers';

// Backing changes totals and lists: on the server for writes.
test.use({ baseURL: writesURL });

/** A funding demo project one backing of which costs at most ₩50,000. */
async function affordableProject(page: Page) {
  const response = await page.request.get('/api/v1/posts?sort=created&per_page=50');
  const list = await response.json();
  const project = list.items.find(
    (item: { status: string; price: number; d_day: number }) =>
      item.status === 'FUNDING' && item.price <= 50000 && item.d_day > 0,
  );
  expect(project, 'a funding demo project').toBeTruthy();
  return project as { id: number; price: number; title: string };
}

const backing = (page: Page) => page.getByRole('region', { name: 'Back this project' });
const balance = (page: Page) => header(page).getByRole('link', { name: 'Pocket balance' });

test('a backer backs through checkout, once, withdraws and backs again', async ({ page }) => {
  await page.goto('/');
  await waitForHydration(page);
  await backerWithMoney(page, 'checkout');
  const project = await affordableProject(page);

  await page.goto(`/posts/${project.id}`);
  await waitForHydration(page);
  await backing(page).getByRole('link', { name: `Back this project for ${won(project.price)}` }).click();
  await expect(page).toHaveURL(new RegExp(`/posts/${project.id}/checkout$`));
  const checkout = page.getByRole('region', { name: 'Checkout' });
  await expect(checkout).toContainText(`Pocket now${won(50000)}`);
  await expect(checkout).toContainText(`Pocket after${won(50000 - project.price)}`);
  await checkout.getByRole('button', { name: `Confirm and pay ${won(project.price)}` }).click();

  await expect(page).toHaveURL(new RegExp(`/posts/${project.id}$`));
  await expect(backing(page)).toContainText(`You backed this for ${won(project.price)}.`);
  await expect(balance(page)).toHaveText(won(50000 - project.price));

  // A second attempt is refused with a clear message.
  await page.goto(`/posts/${project.id}/checkout`);
  await waitForHydration(page);
  await expect(page.getByRole('region', { name: 'Checkout' })).toContainText(
    'You have already backed this project.',
  );

  // Withdraw, then back again with a double click: charged once.
  await page.goto(`/posts/${project.id}`);
  await waitForHydration(page);
  await backing(page).getByRole('button', { name: 'Withdraw my backing' }).click();
  await expect(balance(page)).toHaveText(won(50000));
  await backing(page).getByRole('link', { name: /^Back this project/ }).click();
  await page.getByRole('button', { name: /^Confirm and pay/ }).dblclick();
  await expect(page).toHaveURL(new RegExp(`/posts/${project.id}$`));
  await expect(backing(page)).toContainText('You backed this');
  await expect(balance(page)).toHaveText(won(50000 - project.price));
  await page.goto('/pocket');
  await expect(page.getByRole('region', { name: 'History' }).getByRole('row')).toHaveCount(5); // header, top-up, backed, withdrawn, backed
});

test.describe('a price changed while at checkout', () => {
  // A project of its own, where no other test (picking a demo project to
  // back) can back it before its price changes.
  test.use({
    baseURL: settleURL,
    allowedConsoleErrors:
      /^Failed to load resource: the server responded with a status of 409 .* @ http:\/\/[^/]+\/api\/back_project$/,
  });

  test('is refused, shows the new price, and backs at it once confirmed', async ({ page, playwright }) => {
    const api = await playwright.request.newContext({ baseURL: settleURL });
    const project = await publisherWithProject(api, { price: 12000 });
    await page.goto('/');
    await waitForHydration(page);
    await backerWithMoney(page, 'price_seen');
    await page.goto(`/posts/${project.id}/checkout`);
    await waitForHydration(page);
    const checkout = page.getByRole('region', { name: 'Checkout' });
    await expect(checkout.getByRole('button', { name: 'Confirm and pay ₩12,000' })).toBeVisible();

    await project.changePrice(15000);
    await checkout.getByRole('button', { name: 'Confirm and pay ₩12,000' }).click();
    await expect(checkout.getByRole('alert')).toContainText('The price changed since you saw it. Check the new price.');
    await expect(checkout).toContainText(`Pocket after${won(35000)}`);
    await expect(balance(page)).toHaveText(won(50000));

    await checkout.getByRole('button', { name: 'Confirm and pay ₩15,000' }).click();
    await expect(page).toHaveURL(new RegExp(`/posts/${project.id}$`));
    await expect(backing(page)).toContainText('You backed this for ₩15,000.');
    await expect(balance(page)).toHaveText(won(35000));
    await api.dispose();
  });
});

test('a publisher is told they cannot back', async ({ page }) => {
  const project = await affordableProject(page);
  await page.goto('/login');
  await waitForHydration(page);
  await page.getByLabel('Username').fill('demo_publisher_4');
  await page.getByLabel('Password').fill('moa-demo-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(header(page)).toContainText('demo_publisher_4');
  await page.goto(`/posts/${project.id}`);
  await waitForHydration(page);
  await expect(backing(page)).toContainText('Publisher accounts publish projects; they cannot back them.');
  await expect(backing(page).getByRole('link', { name: /^Back this project/ })).toHaveCount(0);
});

test('a visitor is sent to log in and comes back to the project', async ({ page }) => {
  const project = await affordableProject(page);
  await page.goto(`/posts/${project.id}`);
  await waitForHydration(page);
  await backing(page).getByRole('link', { name: 'Log in' }).click();
  await expect(page).toHaveURL(new RegExp(`/login\\?next=/posts/${project.id}$`));
  await page.getByRole('link', { name: 'Create an account' }).click();
  await submitSignUp(page, uniqueName('visitor'));
  await expect(page).toHaveURL(new RegExp(`/posts/${project.id}$`));
  // The next step for a new account: a pocket to pay from.
  await expect(backing(page).getByRole('link', { name: 'Register a pocket' })).toBeVisible();
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('checkout still backs', async ({ page }) => {
    await backerWithMoney(page, 'nojs_checkout');
    const project = await affordableProject(page);
    await page.goto(`/posts/${project.id}/checkout`);
    await page.getByRole('button', { name: `Confirm and pay ${won(project.price)}` }).click();
    await expect(page).toHaveURL(new RegExp(`/posts/${project.id}$`));
    await expect(backing(page)).toContainText(`You backed this for ${won(project.price)}.`);
  });
});
