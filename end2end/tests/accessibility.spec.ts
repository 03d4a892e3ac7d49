import type { APIRequestContext, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { test, expect, waitForHydration } from './fixtures';
import { DEMO_PASSWORD, logInAsDemo } from './journeys';

// Every Moa page, signed out and signed in, checked by axe-core (WCAG 2.2
// A and AA, and best practices) after hydration: no violations. The vendored
// Swagger UI and ReDoc pages are not Moa's own and are left out.

async function expectNoViolations(page: Page, path: string) {
  await page.goto(path);
  await waitForHydration(page);
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .analyze();
  const found = results.violations.map((violation) => ({
    rule: violation.id,
    impact: violation.impact,
    nodes: violation.nodes.map((node) => node.target.join(' ')),
  }));
  expect(found, `axe violations on ${path}`).toEqual([]);
}


async function firstListedProject(request: APIRequestContext) {
  const list = await request.get('/api/v1/posts');
  expect(list.status()).toBe(200);
  return (await list.json()).items[0].id as number;
}

async function publisherProject(request: APIRequestContext) {
  const token = await request.post('/api/v1/auth/token', {
    data: { username: 'demo_publisher_4', password: DEMO_PASSWORD },
  });
  expect(token.status()).toBe(200);
  const headers = { authorization: `Bearer ${(await token.json()).access_token}` };
  const mine = await request.get('/api/v1/me/posts', { headers });
  expect(mine.status()).toBe(200);
  const posts = (await mine.json()) as { id: number; status: string }[];
  const funding = posts.find((post) => post.status === 'FUNDING');
  expect(funding, 'demo_publisher_4 has a funding project').toBeTruthy();
  return funding!.id;
}

// A 404 page answers with a 404, which Chromium logs as a console error.
test.use({ allowedConsoleErrors: /status of 404/ });

test('signed out: home, project, log-in, sign-up and not-found pages', async ({ page, request }) => {
  const id = await firstListedProject(request);
  for (const path of ['/', '/?sort=created&q=camp', `/posts/${id}`, '/login', '/signup', '/no-such-page']) {
    await expectNoViolations(page, path);
  }
});

test('signed out, in Korean: home and project pages', async ({ browser, request }) => {
  const context = await browser.newContext({ locale: 'ko-KR' });
  const page = await context.newPage();
  const id = await firstListedProject(request);
  for (const path of ['/', `/posts/${id}`]) {
    await expectNoViolations(page, path);
  }
  await context.close();
});

test('signed in as a backer: home, project, checkout, pocket and backings', async ({ page, request }) => {
  const id = await firstListedProject(request);
  await logInAsDemo(page, 'demo_backer_1');
  for (const path of ['/', `/posts/${id}`, `/posts/${id}/checkout`, '/pocket', '/me/backings']) {
    await expectNoViolations(page, path);
  }
});

test('signed in as a publisher: projects, publishing, editing, backers and history', async ({ page, request }) => {
  const id = await publisherProject(request);
  await logInAsDemo(page, 'demo_publisher_4');
  for (const path of [
    '/me/projects',
    '/posts/new',
    `/posts/${id}`,
    `/posts/${id}/edit`,
    `/me/projects/${id}/backers`,
    `/me/projects/${id}/history`,
    '/pocket',
  ]) {
    await expectNoViolations(page, path);
  }
});
