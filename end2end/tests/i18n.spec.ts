import type { Page } from '@playwright/test';
import { test, expect, waitForHydration } from './fixtures';
import { PASSWORD, header, publisherWithProject, uniqueName, won } from './journeys';
import { writesURL } from './servers';

// Korean browsers meet Moa in Korean, everyone else in English, and the
// switch in the header keeps the page and its query. Every page here is
// clicked after hydration: a hydration mismatch between the server's
// language and the browser's would be a console error.

const htmlLang = (page: Page) => page.locator('html');

test.describe('a Korean browser', () => {
  test.use({
    locale: 'ko-KR',
    // The refused sign-up (422) is the point of one test.
    allowedConsoleErrors: /^Failed to load resource: the server responded with a status of 422 .* @ http:\/\/[^/]+\/api\/sign_up$/,
  });

  test('reads the list and a project in Korean, and switches to English on the same page', async ({ page }) => {
    await page.goto('/?sort=created');
    await waitForHydration(page);
    await expect(htmlLang(page)).toHaveAttribute('lang', 'ko');
    await expect(page).toHaveTitle('프로젝트 둘러보기 · Moa 모아');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('보고 싶은 것을 후원하세요');
    await expect(page.getByRole('link', { name: '최신순' })).toHaveAttribute('aria-current', 'page');
    await expect(page.locator('.list-summary')).toContainText(/프로젝트 [\d,]+개 · \d+페이지 중 1페이지/);

    // Hydrated: the list follows the search box as you type.
    await page.getByRole('searchbox', { name: '제목으로 프로젝트 검색' }).fill('zzzz-없는-제목');
    await expect(page).toHaveURL(/q=zzzz/);
    await expect(page.getByRole('heading', { name: '“zzzz-없는-제목”에 맞는 프로젝트가 없습니다' })).toBeVisible();
    await page.getByRole('link', { name: '검색 지우기' }).click();
    await expect(page).toHaveURL(/\/\?sort=created$/);

    // A project's page: its facts and D-day in Korean.
    await page.locator('.card-link').first().click();
    await expect(page).toHaveURL(/\/posts\/\d+$/);
    const funding = page.getByRole('region', { name: '펀딩 현황' });
    await expect(funding).toContainText('목표 금액');
    await expect(funding).toContainText('후원 금액');
    await expect(funding).toContainText(/\d{4}년 \d{1,2}월 \d{1,2}일/);
    await expect(page.locator('.dday')).toHaveText(/^(D-\d+|D-Day|마감)$/);

    // The switch: same page, same query, now in English, and it stays so.
    const here = new URL(page.url());
    await page.goto(`/?sort=created&page=2`);
    await waitForHydration(page);
    await header(page).getByRole('link', { name: 'English' }).click();
    await expect(page).toHaveURL(/\/\?sort=created&page=2$/);
    await expect(htmlLang(page)).toHaveAttribute('lang', 'en');
    await waitForHydration(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Back what you want to see made');
    await page.goto(here.pathname);
    await expect(htmlLang(page)).toHaveAttribute('lang', 'en');
    await expect(page.getByRole('region', { name: 'Funding' })).toContainText('Price per backing');
    await header(page).getByRole('link', { name: '한국어' }).click();
    await expect(page).toHaveURL(new RegExp(`${here.pathname}$`));
    await expect(htmlLang(page)).toHaveAttribute('lang', 'ko');
  });

  test('signs up with field errors worded in Korean', async ({ page }) => {
    await page.goto('/signup');
    await waitForHydration(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('계정 만들기');
    await page.getByLabel('아이디').fill('bad name!');
    await page.getByLabel('이메일').fill('not-an-email');
    await page.getByLabel('비밀번호').fill('short');
    await page.getByRole('button', { name: '가입하기' }).click();
    await expect(page.getByLabel('아이디')).toHaveAccessibleDescription('영문, 숫자, 밑줄(_)만 쓸 수 있습니다.');
    await expect(page.getByLabel('이메일')).toHaveAccessibleDescription('name@example.com 같은 이메일 주소를 입력하세요.');
    await expect(page.getByLabel('비밀번호')).toHaveAccessibleDescription('10자 이상으로 적어 주세요.');
  });
});

test.describe('a Korean publisher and backer', () => {
  test.use({ locale: 'ko-KR', baseURL: writesURL });

  test('publish with a live error, back through checkout and read the pocket in Korean', async ({ page, request }) => {
    // The publishing form checks as you type, in Korean.
    const publisher = uniqueName('kopub');
    await page.goto('/signup');
    await waitForHydration(page);
    await page.getByLabel('프로젝트 올리기').check();
    await page.getByLabel('아이디').fill(publisher);
    await page.getByLabel('이메일').fill(`${publisher}@example.com`);
    await page.getByLabel('비밀번호').fill(PASSWORD);
    await page.getByRole('button', { name: '가입하기' }).click();
    await expect(header(page)).toContainText(publisher);
    await expect(header(page)).toContainText('창작자');
    await page.goto('/pocket?next=/posts/new');
    await page.getByLabel('은행').selectOption({ label: '카카오뱅크' });
    await page.getByLabel('계좌번호').fill('3333-01-2345678');
    await page.getByRole('button', { name: '지갑 등록' }).click();
    await expect(page).toHaveURL(/\/posts\/new$/);
    await waitForHydration(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('프로젝트 올리기');
    await page.getByLabel('목표 금액 (원)').fill('5000');
    await expect(page.getByLabel('목표 금액 (원)')).toHaveAccessibleDescription(
      /목표 금액은 10,000원부터 9,999,999,999원까지입니다\./,
    );

    // A backer backs a project through checkout, in Korean.
    const project = await publisherWithProject(request, { price: 12000 });
    // Off the form first: its description preview would ask as someone logged out.
    await page.goto('/');
    await waitForHydration(page);
    await header(page).getByRole('button', { name: '로그아웃' }).click();
    await expect(header(page).getByRole('link', { name: '로그인' })).toBeVisible();
    const backer = uniqueName('kobacker');
    await page.goto('/signup');
    await waitForHydration(page);
    await page.getByLabel('아이디').fill(backer);
    await page.getByLabel('이메일').fill(`${backer}@example.com`);
    await page.getByLabel('비밀번호').fill(PASSWORD);
    await page.getByRole('button', { name: '가입하기' }).click();
    await expect(header(page)).toContainText(backer);
    await page.goto('/pocket');
    await waitForHydration(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('내 지갑');
    await page.getByLabel('은행').selectOption({ label: '카카오뱅크' });
    await page.getByLabel('계좌번호').fill('3333-01-2345678');
    await page.getByRole('button', { name: '지갑 등록' }).click();
    await page.getByLabel('금액 (원)', { exact: true }).fill('50,000');
    await page.getByRole('button', { name: '충전하기' }).click();
    await expect(page.getByRole('status').filter({ hasText: '충전했습니다.' })).toContainText('50,000원');

    await page.goto(`/posts/${project.id}`);
    await waitForHydration(page);
    await page.getByRole('link', { name: '12,000원으로 후원하기' }).click();
    const checkout = page.getByRole('region', { name: '후원하기', exact: true });
    await expect(checkout).toContainText(`결제 후 지갑${won(38000)}`);
    await checkout.getByRole('button', { name: '12,000원 결제하고 후원하기' }).click();
    await expect(page).toHaveURL(new RegExp(`/posts/${project.id}$`));
    await expect(page.getByRole('region', { name: '이 프로젝트 후원하기' })).toContainText('12,000원을 후원했습니다.');

    await page.goto('/pocket');
    await waitForHydration(page);
    const history = page.getByRole('region', { name: '내역' });
    await expect(history).toContainText('후원');
    await expect(history).toContainText('충전');
    await expect(htmlLang(page)).toHaveAttribute('lang', 'ko');
  });
});

test.describe('an English browser', () => {
  test.use({ locale: 'en-US' });

  test('reads Moa in English', async ({ page }) => {
    await page.goto('/');
    await waitForHydration(page);
    await expect(htmlLang(page)).toHaveAttribute('lang', 'en');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Back what you want to see made');
    await page.getByRole('link', { name: 'Newest' }).click();
    await expect(page).toHaveURL(/sort=created/);
    await expect(page.locator('.list-summary')).toContainText(/[\d,]+ projects · page 1 of \d+/);
    await page.locator('.card-link').first().click();
    await expect(page.getByRole('region', { name: 'Funding' })).toContainText(/\d{1,2} [A-Z][a-z]{2} \d{4}/);
  });
});
