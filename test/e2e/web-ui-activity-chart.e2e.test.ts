// One backend: a browser driving the web UI; the API underneath is tested on both databases by the API tests.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { seedActivityDays, type ActivityDays } from '../support/activity-days.js';
import { allEvents } from '../support/audit-e2e.js';
import { ARTIFACTS, launchChromium } from '../support/browser.js';
import { TEST_BACKEND } from '../support/test-database.js';
import { auditRows, newUiPage, signInWithToken } from '../support/web-ui-browser.js';

// The audit pages' activity chart and log integrity panel in Chromium, over a log written on three
// past days (test/support/activity-days.ts): the chart's figures are the activity API's, a click
// on a bar segment filters the table to that day and kind, the integrity panel's figures are the
// integrity API's, and "Verify the log now" puts the administrator's verification in the log.
// (web-ui-activity.e2e.test.ts is the "Your activity" page of a user, something else.)

describe('web UI: activity chart and log integrity panel', () => {
  let seeded: ActivityDays;
  let browser: Browser;
  let page: Page;

  before(async () => {
    [seeded, browser] = await Promise.all([seedActivityDays(), launchChromium()]);
    page = await newUiPage(browser);
    await page.goto(`${seeded.trove.baseUrl}/groups/acme/-/audit`);
    await signInWithToken(page, seeded.rootToken);
    await auditRows(page);
  });

  after(async () => {
    await browser?.close();
    await seeded?.trove.stop();
  });

  const chartDays = async () => JSON.parse((await page.locator('figure.activity-chart').getAttribute('data-activity'))!);

  it("charts the group's last 30 days exactly as the activity API counts them", async () => {
    await page.locator('figure.activity-chart canvas').first().waitFor();
    const api = await seeded.root.expect(200, 'GET', `/api/v4/groups/${seeded.group.id}/audit_events/activity?include_subgroups=true`);
    assert.equal(api.days.length, 30);
    assert.deepEqual(await chartDays(), api.days);
    for (const label of ['Publish and change', 'Delete', 'Denied', 'Access', 'Settings', 'Other']) {
      await page.getByRole('list', { name: 'Legend' }).getByText(label, { exact: true }).waitFor();
    }
    await page.screenshot({ path: join(ARTIFACTS, `web-ui-${TEST_BACKEND}-activity-chart.png`), fullPage: true });
  });

  it('filters the table to the day and kind of the bar segment clicked', async () => {
    const days = await chartDays();
    const [, d2] = seeded.days;
    const index = days.findIndex((d: any) => d.day === d2);
    // The delete band of that day: above its publish band (2 events), 2 events high.
    const { publish, delete: deleted } = days[index].counts;
    assert.deepEqual([publish, deleted], [2, 2]);
    const yMax = Number(await page.locator('figure.activity-chart').getAttribute('data-y-max'));
    const box = (await page.locator('figure.activity-chart .u-over').boundingBox())!;
    const x = box.x + ((index + 0.5) / days.length) * box.width;
    const y = box.y + box.height * (1 - (publish + deleted / 2) / yMax);
    await page.mouse.move(x, y);
    await page.mouse.click(x, y);
    await page.waitForURL(/event_kind=delete/);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('created_after'), `${d2}T00:00:00.000Z`);
    assert.equal(url.searchParams.get('created_before'), `${d2}T23:59:59.999Z`);
    const expected = await allEvents(seeded.root, `/api/v4/groups/${seeded.group.id}/audit_events`, `&include_subgroups=true&event_kind=delete${url.search.replace(/^\?/, '&').replace(/&event_kind=delete/, '')}`);
    assert.deepEqual(expected.map((e) => e.event_name).sort(), ['package_registry_package_deleted', 'package_registry_package_tag_deleted']);
    const rows = await auditRows(page, expected.length);
    assert.equal(await rows.count(), expected.length);
    assert.match(await page.locator('table.audit tbody').innerText(), /Package deleted/);
    // The chart follows the table: that day only, its delete band alone.
    await page.waitForFunction(() => JSON.parse(document.querySelector('figure.activity-chart')?.getAttribute('data-activity') ?? '[]').length === 1);
    assert.deepEqual((await chartDays())[0].counts, { publish: 0, delete: 2, denied: 0, access: 0, settings: 0, other: 0 });
    // The same from the table under the chart, with the keyboard's reach.
    await page.getByText('Activity as a table').click();
    await page.getByRole('button', { name: `2 Delete on ${d2}: show them` }).waitFor();
  });

  it("shows the integrity API's figures to an administrator, and a verification from the panel lands in the log with the administrator as actor", async () => {
    await page.goto(`${seeded.trove.baseUrl}/admin/audit`);
    const panel = page.getByRole('region', { name: 'Log integrity' });
    // A checkpoint may be sealed between reading the API and the page: read again until both agree.
    let api: any;
    for (let attempt = 0; ; attempt++) {
      api = await seeded.root.expect(200, 'GET', '/api/v4/audit_events/integrity');
      await page.reload();
      const shown = await panel.locator('[data-field="checkpoint"]').innerText();
      const again = await seeded.root.expect(200, 'GET', '/api/v4/audit_events/integrity');
      if (again.checkpoint.tree_size === api.checkpoint.tree_size || attempt === 5) {
        assert.match(shown, new RegExp(`^${api.checkpoint.tree_size} events, signed .* with key ${api.checkpoint.key_name} \\(${api.checkpoint.key_id}\\)$`));
        break;
      }
    }
    assert.equal(await panel.locator('[data-field="alarms"]').innerText(), String(api.open_alarms.length));
    assert.equal(await panel.locator('[data-field="mirrors"]').innerText(), 'None configured');
    assert.match(await panel.locator('[data-field="last-verification"]').innerText(), /by Trove \(self-check\), events 1\.\.\d+: intact/);
    assert.equal(await panel.locator('[data-field="administrator-verification"]').innerText(), 'Not yet');

    await panel.getByRole('button', { name: 'Verify the log now' }).click();
    await panel.locator('[data-field="administrator-verification"]').getByText(/by root, events 1\.\.\d+: intact/).waitFor();
    const [event] = await allEvents(seeded.root, '/api/v4/audit_events', '&event_name=audit_log_verified');
    assert.equal(event.actor.username, 'root');
    assert.match(await panel.locator('[data-field="administrator-verification"]').innerText(), new RegExp(`events 1\\.\\.${event.changes.tree_size.to}: intact`));
    const first = (await auditRows(page)).first();
    await first.getByText('Audit log verified').waitFor();
    assert.match(await first.innerText(), /root/);
    await page.screenshot({ path: join(ARTIFACTS, `web-ui-${TEST_BACKEND}-integrity-panel.png`), fullPage: true });
  });

  it('prints the chart and the panel without their buttons', async () => {
    await page.emulateMedia({ media: 'print' });
    try {
      assert.ok(await page.locator('figure.activity-chart canvas').first().isVisible());
      assert.ok(await page.getByRole('region', { name: 'Log integrity' }).isVisible());
      assert.equal(await page.getByRole('button', { name: 'Verify the log now' }).isVisible(), false);
      const pdf = await page.pdf({ format: 'A4' });
      assert.ok(pdf.subarray(0, 5).toString() === '%PDF-');
    } finally {
      await page.emulateMedia({ media: 'screen' });
    }
  });
});
