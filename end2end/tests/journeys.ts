import type { APIRequestContext, Page } from '@playwright/test';
import { expect, waitForHydration } from './fixtures';

/** A username no earlier run has taken. */
export function uniqueName(prefix: string) {
  return `${prefix}_${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

export const header = (page: Page) => page.getByRole('banner');

export const PASSWORD = 'correct horse battery';

/** The password of the demo data's accounts (README). */
export const DEMO_PASSWORD = 'moa-demo-password';

/** Logs in as one of the demo data's accounts, through the log-in form. */
export async function logInAsDemo(page: Page, username: string) {
  await page.goto('/login');
  await waitForHydration(page);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(header(page)).toContainText(username);
}

/**
 * Fills the sign-up form (whatever role is chosen) and submits it. Waits for
 * the sign-up page first: coming from the log-in page, whose fields have the
 * same labels, typing before the route changed filled the wrong form.
 */
export async function submitSignUp(page: Page, username: string) {
  await expect(page).toHaveURL(/\/signup(\?|$)/);
  await expect(page.getByRole('button', { name: 'Create account' })).toBeVisible();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Email').fill(`${username}@example.com`);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
}

export const won = (amount: number) => `₩${amount.toLocaleString('en-US')}`;

/** Signs up a backer in the browser, registers a pocket and tops up ₩50,000. */
export async function backerWithMoney(page: Page, prefix: string) {
  const username = uniqueName(prefix);
  await page.goto('/signup');
  await submitSignUp(page, username);
  await expect(header(page)).toContainText(username);
  await page.goto('/pocket');
  await page.getByLabel('Bank').selectOption({ label: '카카오뱅크' });
  await page.getByLabel('Account number').fill('3333-01-2345678');
  await page.getByRole('button', { name: 'Register pocket' }).click();
  await expect(page.getByRole('region', { name: 'Pocket' })).toBeVisible();
  await page.getByLabel('Amount (KRW)').fill('50,000');
  await page.getByRole('button', { name: 'Top up' }).click();
  await expect(page.getByRole('region', { name: 'Pocket' })).toContainText('₩50,000');
  return username;
}

/** A new publisher (password `PASSWORD`) and their new project, made through the REST API. */
/** Days from today in Seoul, as YYYY-MM-DD (`days` may be 0 or 1 for "soon"). */
export function seoulDate(days: number) {
  const seoulNow = new Date(Date.now() + 9 * 3_600_000);
  return new Date(seoulNow.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

export async function publisherWithProject(
  api: APIRequestContext,
  {
    price,
    target = 100000,
    finalDate = seoulDate(30),
    title,
  }: { price: number; target?: number; finalDate?: string; title?: string },
) {
  const username = uniqueName('studio');
  const signedUp = await api.post('/api/v1/accounts', {
    data: { username, email: `${username}@example.com`, password: PASSWORD, role: 'publisher' },
  });
  expect(signedUp.status()).toBe(201);
  const token = (await (await api.post('/api/v1/auth/token', { data: { username, password: PASSWORD } })).json())
    .access_token as string;
  const headers = { authorization: `Bearer ${token}` };
  const pocket = await api.put('/api/v1/me/pocket', { headers, data: { bank: 'KB', account_number: '110123456789' } });
  expect(pocket.status()).toBe(200);
  const created = await api.post('/api/v1/posts', {
    headers,
    data: {
      title: title ?? `Project ${username}`,
      publisher_name: 'Test Studio',
      content: 'A project made by a browser test.',
      target_amount: target,
      price,
      final_date: finalDate,
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  const id = (await created.json()).id as number;
  const changePrice = async (newPrice: number) => {
    const edited = await api.patch(`/api/v1/posts/${id}`, { headers, data: { price: newPrice } });
    expect(edited.status(), await edited.text()).toBe(200);
  };
  return { id, username, title: title ?? `Project ${username}`, headers, changePrice };
}
