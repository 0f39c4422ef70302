// One backend: a browser driving the web UI; the API underneath is tested on both databases by the API tests.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { allEvents } from '../support/audit-e2e.js';
import { seedAccessReview, type AccessReviewWorld } from '../support/access-review-scenario.js';
import { ARTIFACTS, launchChromium } from '../support/browser.js';
import { TEST_BACKEND } from '../support/test-database.js';
import { auditRows, newUiPage, signInWithPassword } from '../support/web-ui-browser.js';
import { OWNER_PASSWORD } from '../support/web-ui-data.js';

// The access review page in Chromium, as a group owner uses it: reached from the members page, its
// figures are the API's, "Stale only" leaves the stale credentials, the CSV download is the API's
// CSV, and "Mark review completed" shows who completed it and lands in the group's audit log.
// A developer is told the review is for owners.

describe('web UI in Chromium: access review', () => {
  let s: AccessReviewWorld;
  let browser: Browser;
  let review: any;
  let page: Page;

  before(async () => {
    s = await seedAccessReview();
    browser = await launchChromium();
    review = await s.olga.api.expect(200, 'GET', `/api/v4/groups/${s.acme.id}/access_review`);
    page = await newUiPage(browser);
    await page.goto(`${s.trove.baseUrl}/groups/acme/-/members`);
    await signInWithPassword(page, 'olga', OWNER_PASSWORD);
  });

  after(async () => {
    await browser?.close();
    await s?.trove.stop();
  });

  it('opens from the members page and shows the figures of the API', async () => {
    await page.getByRole('link', { name: 'Access review' }).click();
    await page.getByRole('heading', { name: 'Access review' }).waitFor();
    const summary = await page.locator('.review-summary').innerText();
    const { members, access_entries, credentials, stale_credentials } = review.summary;
    assert.match(summary, new RegExp(`^${members} members with ${access_entries} project accesses; ${credentials} credentials can write packages or images, ${stale_credentials} stale`));
    const accessRows = page.locator('table.access-review-access tbody tr');
    assert.equal(await accessRows.count(), review.access.length);
    const dave = accessRows.filter({ hasText: 'acme/web-app' }).filter({ hasText: 'dave' });
    assert.deepEqual(
      (await dave.locator('td').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim()).filter((_, i) => [0, 1, 2, 3, 6].includes(i)),
      ['acme/web-app', 'dave', 'Maintainer', 'Inherited from acme', 'never'],
    );
    assert.match(await dave.locator('td[data-label="Granted by"]').innerText(), /olga[\s\S]*Personal access token “olga-token”[\s\S]*via REST API/);
    const rita = accessRows.filter({ hasText: 'rita' });
    assert.equal(await rita.locator('td[data-label="Membership"]').innerText(), 'Direct');
    assert.equal(await page.locator('table.access-review-credentials tbody tr').count(), review.credentials.length);
    await page.screenshot({ path: join(ARTIFACTS, `web-ui-${TEST_BACKEND}-access-review.png`), fullPage: true });
  });

  it('filters the credentials down to the stale ones', async () => {
    await page.getByLabel('Stale only').check();
    const names = await page.locator('table.access-review-credentials tbody td[data-label="Credential"]').allInnerTexts();
    const stale = review.credentials.filter((c: any) => c.stale).map((c: any) => c.name);
    assert.ok(stale.includes('dave-old-ci') && stale.includes('dave-never-used'));
    assert.deepEqual(
      names.map((n) => /“(.+)”/.exec(n)![1]),
      stale,
    );
    const oldCi = page.locator('table.access-review-credentials tbody tr').filter({ hasText: 'dave-old-ci' });
    assert.equal(await oldCi.locator('td[data-label="Status"]').innerText(), 'Stale: not used for 90 days');
    await page.getByLabel('Stale only').uncheck();
  });

  it('downloads the review as the API’s CSV', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
    const file = join(ARTIFACTS, `web-ui-${TEST_BACKEND}-access-review.csv`);
    await download.saveAs(file);
    assert.match(download.suggestedFilename(), /^access-review-acme-\d{4}-\d{2}-\d{2}\.csv$/);
    const api = await s.olga.api.get(`/api/v4/groups/${s.acme.id}/access_review?format=csv`);
    assert.equal(readFileSync(file, 'utf8'), api.text);
  });

  it('marks the review completed with a note, shows who completed it, and the group’s audit log has it', async () => {
    await page.getByText('No review of this group has been completed yet.').waitFor();
    await page.getByLabel('Note (optional)').fill('Quarterly review; dave-old-ci to go');
    await page.getByRole('button', { name: 'Mark review completed' }).click();
    await page.getByRole('status').filter({ hasText: 'Review marked completed' }).waitFor();
    const last = page.locator('.last-completion');
    await last.filter({ hasText: 'Last completed by olga' }).waitFor();
    assert.match(await last.innerText(), /“Quarterly review; dave-old-ci to go”/);

    const [event] = await allEvents(s.olga.api, `/api/v4/groups/${s.acme.id}/audit_events`, '&event_name=access_review_completed');
    assert.deepEqual([event.actor.username, event.via, event.changes.note.to, event.changes.credentials.to], ['olga', 'web', 'Quarterly review; dave-old-ci to go', review.summary.credentials]);

    await page.goto(`${s.trove.baseUrl}/groups/acme/-/audit`);
    const rows = await auditRows(page);
    const completed = rows.filter({ hasText: 'Access review completed' });
    await completed.first().waitFor();
    assert.equal(await completed.count(), 1);
    assert.match(await completed.first().innerText(), /olga/);
  });

  it('tells a developer that the review is for owners, and offers no link to it', async () => {
    const developer = await newUiPage(browser);
    await developer.goto(`${s.trove.baseUrl}/groups/acme/platform/-/members`);
    await signInWithPassword(developer, 'mara', OWNER_PASSWORD);
    await developer.getByRole('heading', { name: 'Members' }).waitFor();
    await developer.locator('table').first().waitFor();
    assert.equal(await developer.getByRole('link', { name: 'Access review' }).count(), 0);
    await developer.goto(`${s.trove.baseUrl}/groups/acme/platform/-/access-review`);
    await developer.getByText('Only owners of the group acme/platform and administrators can see its access review.').waitFor();
    await developer.context().close();
  });
});
