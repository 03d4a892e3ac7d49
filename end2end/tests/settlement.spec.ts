import { execFileSync } from 'node:child_process';
import type { Page } from '@playwright/test';
import { test, expect, waitForHydration } from './fixtures';
import { PASSWORD, backerWithMoney, header, publisherWithProject, seoulDate, won } from './journeys';
import { settleDatabaseUrl, settleURL } from './servers';

// Ending projects moves money and statuses: on the server (and database)
// of its own, where a settlement pass with the clock moved ahead cannot
// end other tests' projects.
test.use({ baseURL: settleURL });

const funding = (page: Page) => page.getByRole('region', { name: 'Funding' });
const backing = (page: Page) => page.getByRole('region', { name: 'Back this project' });
const balance = (page: Page) => header(page).getByRole('link', { name: 'Pocket balance' });

/** Runs one settlement pass as a server process whose clock is `days` ahead. */
function settleAsIfDaysAhead(days: number) {
  const output = execFileSync('../target/release/server', ['settle'], {
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: settleDatabaseUrl,
      REDIS_URL: process.env.MOA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      MOA_CLOCK_OFFSET_DAYS: String(days),
      RUST_LOG: 'error',
    },
  });
  return output.toString();
}

async function backThroughCheckout(page: Page, id: number, price: number) {
  await page.goto(`/posts/${id}`);
  await waitForHydration(page);
  await backing(page).getByRole('link', { name: `Back this project for ${won(price)}` }).click();
  await page.getByRole('button', { name: `Confirm and pay ${won(price)}` }).click();
  await expect(backing(page)).toContainText(`You backed this for ${won(price)}.`);
}

test('a page follows the figures as someone else backs, without a reload', async ({ page, browser, playwright }) => {
  const api = await playwright.request.newContext({ baseURL: settleURL });
  const project = await publisherWithProject(api, { price: 7000, target: 70000 });

  const watcherContext = await browser.newContext();
  const watcher = await watcherContext.newPage();
  await watcher.goto(`${settleURL}/posts/${project.id}`);
  await waitForHydration(watcher);
  await expect(funding(watcher)).toContainText('₩0');
  await expect(funding(watcher)).toContainText('Backers0');

  await page.goto('/');
  await waitForHydration(page);
  await backerWithMoney(page, 'live_backer');
  await backThroughCheckout(page, project.id, 7000);

  await expect(funding(watcher)).toContainText('₩7,000');
  await expect(funding(watcher)).toContainText('10%');
  await expect(funding(watcher)).toContainText('Backers1');
  await watcherContext.close();
  await api.dispose();
});

test('after the end date, one project succeeds and pays, another is cancelled and refunds', async ({
  page,
  browser,
  playwright,
}, testInfo) => {
  // A pass settles every due project in the database: run it from one
  // browser project only, so it cannot end the other's projects midway.
  test.skip(testInfo.project.name !== 'chromium', 'settles the shared database once per run');
  const api = await playwright.request.newContext({ baseURL: settleURL });
  const tomorrow = seoulDate(1);
  const met = await publisherWithProject(api, { price: 10000, target: 10000, finalDate: tomorrow });
  const missed = await publisherWithProject(api, { price: 10000, target: 20000, finalDate: tomorrow });

  await page.goto('/');
  await waitForHydration(page);
  await backerWithMoney(page, 'settled_backer');
  await backThroughCheckout(page, met.id, 10000);
  await backThroughCheckout(page, missed.id, 10000);
  await expect(balance(page)).toHaveText(won(30000));

  const report = settleAsIfDaysAhead(3);
  expect(report).toContain(met.title);
  expect(report).toContain(missed.title);

  await page.goto(`/posts/${met.id}`);
  await waitForHydration(page);
  await expect(page.getByText('Funded: the target was reached and the publisher has been paid.')).toBeVisible();
  await page.goto(`/posts/${missed.id}`);
  await waitForHydration(page);
  await expect(page.getByText('Cancelled: every backer was refunded.')).toBeVisible();
  await expect(balance(page)).toHaveText(won(40000));
  await page.goto('/pocket');
  const refund = page.getByRole('region', { name: 'History' }).getByRole('row').nth(1);
  await expect(refund).toContainText('Refund');
  await expect(refund.getByRole('link', { name: missed.title })).toBeVisible();
  await expect(refund).toContainText('+₩10,000');

  // The publisher sees the payout in their pocket and the history of the project.
  const publisherContext = await browser.newContext();
  const publisher = await publisherContext.newPage();
  await publisher.goto(`${settleURL}/login`);
  await waitForHydration(publisher);
  await publisher.getByLabel('Username').fill(met.username);
  await publisher.getByLabel('Password').fill(PASSWORD);
  await publisher.getByRole('button', { name: 'Log in' }).click();
  await expect(header(publisher)).toContainText(met.username);
  await publisher.goto(`${settleURL}/pocket`);
  const payout = publisher.getByRole('region', { name: 'History' }).getByRole('row').nth(1);
  await expect(payout).toContainText('Payout');
  await expect(payout).toContainText('+₩10,000');
  await publisher.goto(`${settleURL}/me/projects/${met.id}/history`);
  await expect(publisher.getByRole('row').nth(1)).toContainText('Funding → Funded');
  await expect(publisher.getByRole('row').nth(1)).toContainText('₩10,000 paid to you');
  await publisherContext.close();
  await api.dispose();
});

test('an owner cancels from the project page and every backer is refunded', async ({ page, browser, playwright }) => {
  const api = await playwright.request.newContext({ baseURL: settleURL });
  const project = await publisherWithProject(api, { price: 9000, target: 900000 });
  const backerContext = await browser.newContext({ baseURL: settleURL });
  const backer = await backerContext.newPage();
  await backer.goto('/');
  await waitForHydration(backer);
  await backerWithMoney(backer, 'cancelled_backer');
  await backThroughCheckout(backer, project.id, 9000);

  await page.goto('/login');
  await waitForHydration(page);
  await page.getByLabel('Username').fill(project.username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(header(page)).toContainText(project.username);
  await page.goto(`/posts/${project.id}`);
  await waitForHydration(page);
  await expect(backing(page)).toContainText('This is your project.');
  await backing(page).getByText('Cancel project').click();
  await expect(backing(page)).toContainText('Its backer gets ₩9,000 back at once.');
  await backing(page).getByRole('button', { name: 'Yes, cancel and refund' }).click();
  await expect(page.getByText('Cancelled: every backer was refunded.')).toBeVisible();
  await expect(backing(page).getByText('Cancel project')).toHaveCount(0);

  // The backer's page says so, and their pocket has the money back.
  await backer.goto(`/posts/${project.id}`);
  await expect(backer.getByText('Cancelled: every backer was refunded.')).toBeVisible();
  await expect(balance(backer)).toHaveText(won(50000));
  await backerContext.close();
  await api.dispose();
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('an owner still cancels, after a confirmation', async ({ page, playwright }) => {
    const api = await playwright.request.newContext({ baseURL: settleURL });
    const project = await publisherWithProject(api, { price: 5000, target: 500000 });
    await page.goto('/login');
    await page.getByLabel('Username').fill(project.username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(header(page)).toContainText(project.username);
    await page.goto('/me/projects');
    const row = page.getByRole('row').filter({ hasText: project.title });
    await row.getByText('Cancel project').click();
    await row.getByRole('button', { name: 'Yes, cancel and refund' }).click();
    await expect(page).toHaveURL(/\/me\/projects$/);
    await expect(page.getByRole('row').filter({ hasText: project.title })).toContainText('Cancelled');
    await api.dispose();
  });
});
