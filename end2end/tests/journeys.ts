import type { Page } from '@playwright/test';

/** A username no earlier run has taken. */
export function uniqueName(prefix: string) {
  return `${prefix}_${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

export const header = (page: Page) => page.getByRole('banner');

export const PASSWORD = 'correct horse battery';

/** Fills the sign-up form (whatever role is chosen) and submits it. */
export async function submitSignUp(page: Page, username: string) {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Email').fill(`${username}@example.com`);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
}
