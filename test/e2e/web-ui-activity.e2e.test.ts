// One backend: a browser driving the web UI; the API underneath is tested on both databases by the API tests.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { allEvents } from '../support/audit-e2e.js';
import { launchChromium } from '../support/browser.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { auditRows, newUiPage, signInWithPassword } from '../support/web-ui-browser.js';
import { World, type TestUser } from '../support/world.js';

// "Your activity" in Chromium: a user who is no administrator reaches the events stored on their
// own account (creation, changes by an administrator, sign-ins, tokens) from the header, with
// the audit table, filters and export of the other audit pages.

describe('web UI: your activity', () => {
  let trove: RunningTrove;
  let world: World;
  let uma: TestUser;
  let browser: Browser;
  let page: Page;

  before(async () => {
    trove = await startTrove();
    world = new World(trove);
    [uma, browser] = await Promise.all([world.user('uma'), launchChromium()]);
    await world.root.expect(200, 'PUT', `/api/v4/users/${uma.id}`, { name: 'Uma Thurman' });
    page = await newUiPage(browser);
    await page.goto(trove.baseUrl);
    await signInWithPassword(page, 'uma', 'correct-horse-battery');
  });

  after(async () => {
    await browser?.close();
    await trove?.stop();
  });

  it('lists the events of the signed-in user from the header link, exactly those of GET /users/:id/audit_events', async () => {
    await page.getByRole('link', { name: 'Your activity' }).click();
    await page.getByRole('heading', { name: 'Your activity' }).waitFor();
    await page.waitForURL(/\/activity$/);
    const expected = await allEvents(uma.api, `/api/v4/users/${uma.id}/audit_events`);
    assert.ok(expected.length >= 4, 'created, token created, updated, signed in');
    const rows = await auditRows(page, expected.length);
    assert.equal(await rows.count(), expected.length);
    assert.ok(await page.getByRole('link', { name: 'Export CSV' }).isVisible());
    // The link that an administrator has to the instance log is not offered.
    assert.equal(await page.getByRole('link', { name: 'Instance audit log' }).count(), 0);
  });

  it('charts the user\'s own activity over time exactly as the activity API counts it', async () => {
    await page.locator('figure.activity-chart canvas').first().waitFor();
    const api = await uma.api.expect(200, 'GET', `/api/v4/users/${uma.id}/audit_events/activity`);
    const total = api.days.reduce((sum: number, day: { total: number }) => sum + day.total, 0);
    assert.ok(total >= 4, `${total} events: created, token created, updated, signed in`);
    assert.deepEqual(JSON.parse((await page.locator('figure.activity-chart').getAttribute('data-activity'))!), api.days);
  });
});
