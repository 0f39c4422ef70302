import type { Browser, Page } from 'playwright-core';

// What every browser test of the web UI does the same way: a page (1280×800 unless asked) in Berlin time
// (so that local time and UTC differ), and signing in and out through the page itself.

export async function newUiPage(browser: Browser, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ viewport, acceptDownloads: true, timezoneId: 'Europe/Berlin', locale: 'en-US' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

export async function signInWithPassword(page: Page, login: string, password: string): Promise<void> {
  await page.getByLabel('Username or email').fill(login);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor(); // the page at the current URL follows
}

export async function signInWithToken(page: Page, token: string): Promise<void> {
  await page.getByRole('button', { name: 'Access token' }).click();
  await page.getByLabel('Personal access token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor(); // the page at the current URL follows
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in to Trove' }).waitFor();
}

/** The rows of the audit table on the page, once at least `atLeast` are shown. */
export async function auditRows(page: Page, atLeast = 1) {
  const rows = page.locator('table.audit tbody tr');
  await rows.nth(atLeast - 1).waitFor();
  return rows;
}

/**
 * The rows of the audit table once every one of them shows `text`: after a filter change, the rows of
 * the filter before it are gone (a first row alone may still be one of them).
 */
export async function auditRowsAllShowing(page: Page, text: string) {
  await page.waitForFunction((wanted) => {
    const rows = [...document.querySelectorAll('table.audit tbody tr')];
    return rows.length > 0 && rows.every((row) => (row.textContent ?? '').includes(wanted));
  }, text);
  return page.locator('table.audit tbody tr');
}
