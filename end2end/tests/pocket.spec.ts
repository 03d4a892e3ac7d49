import type { Page } from '@playwright/test';
import { test, expect, waitForHydration } from './fixtures';
import { header, submitSignUp, uniqueName } from './journeys';

async function signUpAsBacker(page: Page) {
  const username = uniqueName('pocket');
  await page.goto('/signup');
  await waitForHydration(page);
  await submitSignUp(page, username);
  await expect(header(page)).toContainText(username);
  return username;
}

const pocketSummary = (page: Page) => page.getByRole('region', { name: 'Pocket' });
const history = (page: Page) => page.getByRole('region', { name: 'History' });

async function topUp(page: Page, amount: string) {
  await page.getByLabel('Amount (KRW)').fill(amount);
  await page.getByRole('button', { name: 'Top up' }).click();
}

test('register a pocket, top up, and read the history', async ({ page }) => {
  await signUpAsBacker(page);
  await header(page).getByRole('link', { name: 'Register a pocket' }).click();
  await expect(page).toHaveURL(/\/pocket$/);
  await expect(page.getByRole('heading', { name: 'Register a pocket' })).toBeVisible();

  await page.getByLabel('Bank').selectOption({ label: '카카오뱅크' });
  await page.getByLabel('Account number').fill('3333-01-2345678');
  await page.getByRole('button', { name: 'Register pocket' }).click();

  await expect(pocketSummary(page)).toContainText('카카오뱅크');
  await expect(pocketSummary(page)).toContainText('*******5678');
  await expect(pocketSummary(page)).not.toContainText('3333012345678');
  await expect(header(page).getByRole('link', { name: 'Pocket balance' })).toHaveText('₩0');
  await expect(history(page)).toContainText('No movements yet');

  await topUp(page, '50,000');
  await expect(page.getByRole('status').filter({ hasText: 'Topped up' })).toHaveText(
    'Topped up. Your balance is now ₩50,000.',
  );
  await expect(header(page).getByRole('link', { name: 'Pocket balance' })).toHaveText('₩50,000');

  await topUp(page, '1000');
  await expect(header(page).getByRole('link', { name: 'Pocket balance' })).toHaveText('₩51,000');
  await expect(pocketSummary(page)).toContainText('₩51,000');
  const rows = history(page).getByRole('row');
  await expect(rows).toHaveCount(3); // the header row and two movements
  await expect(rows.nth(1)).toContainText('Top-up');
  await expect(rows.nth(1)).toContainText('+₩1,000');
  await expect(rows.nth(1)).toContainText('₩51,000');
  await expect(rows.nth(2)).toContainText('+₩50,000');

  // It is all on the server: a fresh load shows the same.
  await page.reload();
  await waitForHydration(page);
  await expect(history(page).getByRole('row')).toHaveCount(3);
  await expect(header(page).getByRole('link', { name: 'Pocket balance' })).toHaveText('₩51,000');

  // Changing the bank account keeps the money.
  await page.getByText('Change bank account').click();
  await page.getByLabel('Bank').selectOption({ label: '토스뱅크' });
  await page.getByLabel('Account number').fill('1000-1234-5678');
  await page.getByRole('button', { name: 'Save bank account' }).click();
  await expect(pocketSummary(page)).toContainText('토스뱅크');
  await expect(pocketSummary(page)).toContainText('₩51,000');

  // Cash out part of it to the new bank account; a double click pays once.
  const cashOut = page.getByRole('region', { name: 'Cash out' });
  await expect(cashOut).toContainText('Up to ₩51,000, paid to 토스뱅크');
  await cashOut.getByLabel('Amount to cash out (KRW)').fill('₩11,000');
  await cashOut.getByRole('button', { name: 'Cash out' }).dblclick();
  await expect(page.getByRole('status').filter({ hasText: 'Cashed out' })).toHaveText(
    'Cashed out. Your balance is now ₩40,000.',
  );
  await expect(header(page).getByRole('link', { name: 'Pocket balance' })).toHaveText('₩40,000');
  await expect(history(page).getByRole('row')).toHaveCount(4);
  await expect(history(page).getByRole('row').nth(1)).toContainText('Cash-out');
  await expect(history(page).getByRole('row').nth(1)).toContainText('-₩11,000');
});

test('the pocket page asks visitors to log in, then brings them back', async ({ page }) => {
  await page.goto('/pocket');
  await waitForHydration(page);
  await expect(page.getByText('Log in to see your pocket.')).toBeVisible();
  await page.getByRole('main').getByRole('link', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/login\?next=\/pocket$/);
  await page.getByLabel('Username').fill('demo_backer_1');
  await page.getByLabel('Password').fill('moa-demo-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/pocket$/);
  await expect(pocketSummary(page)).toContainText('*********5678');
});

test.describe('refused input', () => {
  test.use({
    allowedConsoleErrors:
      /^Failed to load resource: the server responded with a status of 4(09|22) .* @ http:\/\/[^/]+\/api\/(register_pocket|top_up|cash_out)$/,
  });

  test('field errors appear next to their fields and nothing moves', async ({ page }) => {
    await signUpAsBacker(page);
    await page.goto('/pocket');
    await waitForHydration(page);
    await page.getByLabel('Account number').fill('12-34');
    await page.getByRole('button', { name: 'Register pocket' }).click();
    await expect(page.getByLabel('Bank')).toHaveAccessibleDescription('Choose a bank from the list.');
    await expect(page.getByLabel('Account number')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByLabel('Account number')).toHaveAccessibleDescription('Enter 10 to 14 digits.');

    await page.getByLabel('Bank').selectOption('NH');
    await page.getByLabel('Account number').fill('3020000123456');
    await page.getByRole('button', { name: 'Register pocket' }).click();
    await expect(pocketSummary(page)).toContainText('NH농협은행');

    for (const [typed, message] of [
      ['999', 'Top up between ₩1,000 and ₩10,000,000.'],
      ['10,000,001', 'Top up between ₩1,000 and ₩10,000,000.'],
      ['lots', 'Enter an amount in won, digits only.'],
    ]) {
      // From a fresh page each time: two refusals in a row may say the
      // same, and the next amount must not be typed while the last answer
      // is still coming (it puts back the amount it refused).
      await page.goto('/pocket');
      await waitForHydration(page);
      await expect(page.getByLabel('Amount (KRW)')).not.toHaveAttribute('aria-invalid', 'true');
      await topUp(page, typed);
      await expect(page.getByLabel('Amount (KRW)')).toHaveAccessibleDescription(message);
    }
    await expect(history(page)).toContainText('No movements yet');
    await expect(header(page).getByRole('link', { name: 'Pocket balance' })).toHaveText('₩0');

    await topUp(page, '5,000');
    await expect(header(page).getByRole('link', { name: 'Pocket balance' })).toHaveText('₩5,000');
    const amount = page.getByLabel('Amount to cash out (KRW)');
    for (const [typed, message] of [
      ['5,001', 'That is more than your pocket holds.'],
      ['0', 'Cash out at least ₩1.'],
    ]) {
      await amount.fill(typed);
      await page.getByRole('button', { name: 'Cash out' }).click();
      await expect(amount).toHaveAccessibleDescription(message);
    }
    await expect(header(page).getByRole('link', { name: 'Pocket balance' })).toHaveText('₩5,000');
    await expect(history(page).getByRole('row')).toHaveCount(2);
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('registering and topping up still work', async ({ page }) => {
    const username = uniqueName('nojs_pocket');
    await page.goto('/signup');
    await submitSignUp(page, username);
    await expect(header(page)).toContainText(username);

    await page.goto('/pocket');
    await page.getByLabel('Bank').selectOption('SHINHAN');
    await page.getByLabel('Account number').fill('110123456789');
    await page.getByRole('button', { name: 'Register pocket' }).click();
    await expect(pocketSummary(page)).toContainText('신한은행');

    await topUp(page, '20000');
    await expect(page).toHaveURL(/\/pocket$/);
    await expect(header(page).getByRole('link', { name: 'Pocket balance' })).toHaveText('₩20,000');
    await expect(history(page).getByRole('row')).toHaveCount(2);

    await topUp(page, '5');
    await expect(page.getByLabel('Amount (KRW)')).toHaveAccessibleDescription(
      'Top up between ₩1,000 and ₩10,000,000.',
    );
  });
});
