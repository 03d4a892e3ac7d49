import { test, expect, waitForHydration } from './fixtures';
import { PASSWORD, header, submitSignUp, uniqueName } from './journeys';

test('sign up as a backer, log out, and log back in', async ({ page }) => {
  const username = uniqueName('backer');
  await page.goto('/signup');
  await waitForHydration(page);
  await submitSignUp(page, username);

  await expect(page).toHaveURL(/\/$/);
  await expect(header(page)).toContainText(username);
  await expect(header(page)).toContainText('backer');
  await expect(header(page)).toContainText('Register a pocket');

  await header(page).getByRole('button', { name: 'Log out' }).click();
  await expect(header(page).getByRole('link', { name: 'Log in' })).toBeVisible();
  await expect(header(page)).not.toContainText(username);

  await header(page).getByRole('link', { name: 'Log in' }).click();
  await page.getByLabel('Username').fill(username.toUpperCase());
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(header(page)).toContainText(username);
});

test('sign up as a publisher', async ({ page }) => {
  const username = uniqueName('pub');
  await page.goto('/signup');
  await waitForHydration(page);
  await page.getByLabel('publish projects').check();
  await submitSignUp(page, username);
  await expect(header(page)).toContainText('publisher');
});

test.describe('refused input', () => {
  // The refusals themselves: 422 for the sign-up, 401 for the log-in.
  test.use({
    allowedConsoleErrors:
      /^Failed to load resource: the server responded with a status of (422 .* @ http:\/\/[^/]+\/api\/sign_up|401 .* @ http:\/\/[^/]+\/api\/log_in)$/,
  });

test('field errors appear next to their fields', async ({ page }) => {
  await page.goto('/signup');
  await waitForHydration(page);
  await page.getByLabel('Username').fill('bad name!');
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();

  await expect(page.getByLabel('Username')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Username')).toHaveAccessibleDescription('Use only letters, digits and underscores.');
  await expect(page.getByLabel('Email')).toHaveAccessibleDescription('Enter an email address like name@example.com.');
  await expect(page.getByLabel('Password')).toHaveAccessibleDescription('Use at least 10 characters.');
  await expect(page).toHaveURL(/\/signup$/);

  await page.goto('/login');
  await waitForHydration(page);
  await page.getByLabel('Username').fill(uniqueName('nobody'));
  await page.getByLabel('Password').fill('wrong password!');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'The username or password is not right.' })).toBeVisible();
});
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('sign-up and log-in still work', async ({ page }) => {
    const username = uniqueName('nojs');
    await page.goto('/signup');
    await submitSignUp(page, username);
    await expect(page).toHaveURL(/\/$/);
    await expect(header(page)).toContainText(username);

    await header(page).getByRole('button', { name: 'Log out' }).click();
    await expect(header(page).getByRole('link', { name: 'Log in' })).toBeVisible();

    await page.goto('/login');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(header(page)).toContainText(username);
  });

  test('a refused sign-up shows its field errors', async ({ page }) => {
    await page.goto('/signup');
    await page.getByLabel('Username').fill('no spaces please');
    await page.getByLabel('Email').fill(`${uniqueName('nojs')}@example.com`);
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page).toHaveURL(/\/signup\?/);
    await expect(page.getByLabel('Username')).toHaveAccessibleDescription('Use only letters, digits and underscores.');
    await expect(page.getByLabel('Password')).toHaveAccessibleDescription('Use at least 10 characters.');
  });
});
