// One backend: a browser driving the web UI; the API underneath is tested on both databases by the API tests.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { allEvents, jsonlRecords } from '../support/audit-e2e.js';
import { ARTIFACTS, launchChromium } from '../support/browser.js';
import { AUDIT_EVENT_NAMES, auditEventLabel, auditEventsByCategory } from '../../src/core/audit/event-catalog.js';
import { TEST_BACKEND } from '../support/test-database.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { auditRows, newUiPage, signInWithPassword, signInWithToken, signOut } from '../support/web-ui-browser.js';
import { buildMoreWebUiData, OWNER_PASSWORD, type MoreWebUiData } from '../support/web-ui-data.js';

// The audit pages as a compliance reviewer uses them, in Chromium against a running Trove whose
// events come from real npm publishes, a generic upload and the API (buildMoreWebUiData): token
// filters that tell deploy token 1 from personal token 1 (list and export), the author box finding
// a deploy token by its name, format and project filters, subgroups included by default, readable
// labels with the raw values one hover/click away, page titles, times with their zone, 390 px.

const rowsText = (page: Page) => page.locator('table.audit tbody').innerText();

describe('web UI audit pages in Chromium', () => {
  let trove: RunningTrove;
  let data: MoreWebUiData;
  let browser: Browser;
  let page: Page;
  let deployTokenId: number;

  before(async () => {
    trove = await startTrove();
    [data, browser] = await Promise.all([buildMoreWebUiData(trove), launchChromium()]);
    // A generic file next to the npm packages, for the format filter.
    const upload = await data.owner.api.request('PUT', `/api/v4/projects/${data.project.id}/packages/generic/firmware/1.0.0/firmware.bin`, new Uint8Array([1, 2, 3]));
    assert.equal(upload.status, 201, upload.text);
    page = await newUiPage(browser);
    await page.goto(`${trove.baseUrl}/groups/acme/-/audit`);
    await signInWithPassword(page, 'olivia', OWNER_PASSWORD);
    await auditRows(page);
  });

  after(async () => {
    await browser?.close();
    await trove?.stop();
  });

  it('tells deploy token 1 from personal access token 1 with token_type, in the list and the export', async () => {
    // The collision is real: root's own token, release-bot and the first CI job token all have id 1.
    const both = await allEvents(data.world.root, `/api/v4/groups/${data.group.id}/audit_events`, '&include_subgroups=true&token_id=1');
    const kinds = [...new Set(both.map((e) => e.actor.type))].sort();
    assert.deepEqual(kinds, ['deploy_token', 'job_token', 'personal_access_token']);
    const bot = both.filter((e) => e.actor.type === 'deploy_token');
    deployTokenId = bot[0].actor.token_id;

    await page.getByLabel('Token ID').fill('1');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    // An id without its kind is refused by the form: it would mix both tokens.
    assert.match(await page.getByLabel('Token kind').evaluate((el: HTMLSelectElement) => el.validationMessage), /numbered per kind/);
    await page.getByLabel('Token kind').selectOption('deploy_token');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/token_type=deploy_token&token_id=1/);
    await page.getByText(`${bot.length} events, the whole log for these filters.`).waitFor();
    const actors = await page.locator('table.audit tbody td.actor .actor-name').allInnerTexts();
    assert.deepEqual([...new Set(actors)], ['“release-bot”']);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export JSON Lines' }).click()]);
    const file = join(ARTIFACTS, `web-ui-audit-${TEST_BACKEND}-token.jsonl`);
    await download.saveAs(file);
    const exported = jsonlRecords(readFileSync(file, 'utf8'));
    assert.deepEqual(exported.map((e) => e.id), bot.map((e) => e.id).reverse());

    // Clicking a token in the table sets both too.
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Package name').fill('@acme/ui-kit');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/package_name=/);
    const olivia = page.locator('table.audit tbody tr').filter({ hasText: 'olivia-laptop' }).first();
    await olivia.getByRole('button', { name: 'Only this token' }).click();
    await page.waitForURL(/token_type=personal_access_token&token_id=\d+/);
    await auditRows(page);
    assert.deepEqual([...new Set(await page.locator('table.audit tbody td.actor .actor-kind').allInnerTexts())], ['Personal access token “olivia-laptop”']);
  });

  it('finds a deploy token’s events by its name in the author box, and a user’s by username', async () => {
    await page.getByRole('button', { name: 'Clear' }).click();
    await auditRows(page);
    await page.getByLabel('Author (username or token name)').fill('release-bot');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/author=release-bot/);
    const expected = await allEvents(data.world.root, `/api/v4/groups/${data.group.id}/audit_events`, '&include_subgroups=true&author=release-bot');
    assert.ok(expected.length > 0 && expected.every((e) => e.actor.type === 'deploy_token' && e.actor.token_id === deployTokenId));
    await page.getByText(`${expected.length} events, the whole log for these filters.`).waitFor();
    assert.deepEqual([...new Set(await page.locator('table.audit tbody td.actor .actor-name').allInnerTexts())], ['“release-bot”']);

    // A username finds that user's events through any credential, no deploy token's.
    const byOlivia = await allEvents(data.world.root, `/api/v4/groups/${data.group.id}/audit_events`, '&include_subgroups=true&author=olivia');
    assert.ok(byOlivia.some((e) => e.actor.type === 'personal_access_token'));
    assert.ok(byOlivia.every((e) => e.actor.username === 'olivia' && e.actor.type !== 'deploy_token'));
    // A token name also matches personal access tokens; nothing matches an unknown name.
    const laptop = await allEvents(data.world.root, '/api/v4/audit_events', '&author=olivia-laptop');
    assert.ok(laptop.length > 0 && laptop.every((e) => e.actor.token_name === 'olivia-laptop'));
    assert.deepEqual(await allEvents(data.world.root, '/api/v4/audit_events', '&author=nobody-at-all'), []);
  });

  it('filters by package format and by project', async () => {
    await page.getByRole('button', { name: 'Clear' }).click();
    await auditRows(page);
    await page.getByLabel('Format').selectOption('generic');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/package_format=generic/);
    await page.getByText('1 events, the whole log for these filters.').waitFor();
    assert.match(await rowsText(page), /acme\/web-app\/firmware-1\.0\.0/);

    await page.getByLabel('Format').selectOption('');
    await page.locator('select[name="project_id"]').selectOption({ label: 'acme/platform/tools' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(new RegExp(`project_id=${data.tools.id}`));
    const expected = await allEvents(data.world.root, `/api/v4/projects/${data.tools.id}/audit_events`);
    await page.getByText(`${expected.length} events, the whole log for these filters.`).waitFor();
    const targets = await page.locator('table.audit tbody td:nth-child(5)').allInnerTexts();
    assert.deepEqual(targets, expected.map((e) => e.details.target_details));
  });

  it('includes subgroups in a group’s audit events by default, with a ticked box to untick', async () => {
    await page.getByRole('link', { name: 'Audit events' }).click();
    await page.waitForURL(/\/groups\/acme\/-\/audit$/);
    await auditRows(page);
    assert.equal(await page.getByLabel('Include subgroups').isChecked(), true);
    await page.getByLabel('Package name').fill('@acme/cli');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/package_name=/);
    // Published in acme/platform/tools: its event is kept on the subgroup acme/platform.
    await page.locator('table.audit tbody tr').filter({ hasText: 'acme/platform/tools/@acme/cli-2.0.0' }).first().waitFor();
    assert.ok(!page.url().includes('include_subgroups'), page.url());

    await page.getByLabel('Include subgroups').uncheck();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/include_subgroups=false/);
    await page.getByText('No audit events match these filters.').waitFor();
    assert.equal(await page.getByLabel('Include subgroups').isChecked(), false);
    // The export follows the box too.
    assert.doesNotMatch((await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href')) ?? '', /include_subgroups/);
    await page.getByLabel('Include subgroups').check();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL((url) => !url.search.includes('include_subgroups'));
    await page.locator('table.audit tbody tr').filter({ hasText: 'acme/platform/tools/@acme/cli-2.0.0' }).first().waitFor();
    assert.match((await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href')) ?? '', /include_subgroups=true/);
  });

  it('names each actor once and shows readable labels, with the raw values in tooltips and the drawer', async () => {
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Author (username or token name)').fill('release-bot');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const row = (await auditRows(page)).filter({ hasText: 'acme/web-app/@acme/ui-kit-1.4.0' }).first();
    const text = await row.innerText();
    assert.match(text, /Package published/);
    assert.match(text, /“release-bot”\s+Deploy token of acme\/web-app/);
    assert.match(text, new RegExp(`Package client · npm ${data.npmVersion.replaceAll('.', '\\.')}`));
    assert.equal(text.match(/deploy token/gi)?.length, 1, `the actor is named once: ${text}`);
    assert.equal(await row.getByRole('button', { name: 'Package published' }).getAttribute('title'), 'package_registry_package_published');
    assert.equal(await row.locator('td').nth(3).getAttribute('title'), 'package_client');

    // No raw value anywhere in the table or the filters (deploy token, personal token, job token rows).
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Package name').fill('@acme/ui-kit');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.locator('table.audit tbody tr').filter({ hasText: 'olivia-laptop' }).first().waitFor();
    const visible = `${await rowsText(page)}\n${await page.getByRole('form', { name: 'Filter audit events' }).innerText()}`;
    for (const raw of ['package_client', 'package_registry_', 'personal_access_token', 'deploy_token', 'deploy token deploy token']) {
      assert.ok(!visible.includes(raw), `"${raw}" shown as is`);
    }
    await page.locator('table.audit tbody tr').filter({ hasText: 'release-bot' }).filter({ hasText: 'Package published' }).getByRole('button', { name: 'Package published' }).click();
    const drawer = page.getByRole('dialog');
    assert.equal(await drawer.getByRole('heading', { level: 2 }).innerText(), 'Package published');
    const facts = await drawer.locator('dl.facts').innerText();
    assert.match(facts, /package_registry_package_published/);
    assert.match(facts, /Deploy token of acme\/web-app\s+deploy_token/);
    assert.match(facts, /Package client · npm \S+ package_client/);
    await page.keyboard.press('Escape');
  });

  it('offers exactly the events of the server’s catalog in the event filter, by label and category, and filters by one', async () => {
    await page.getByRole('button', { name: 'Clear' }).click();
    await auditRows(page);
    const select = page.getByLabel('Event names');
    const options = await select.locator('option').evaluateAll((all: HTMLOptionElement[]) => all.map((o) => ({ value: o.value, label: o.text, title: o.title })));
    assert.deepEqual(
      options,
      AUDIT_EVENT_NAMES.map((name) => ({ value: name, label: auditEventLabel(name), title: name })),
    );
    assert.ok(options.some((o) => o.value === 'audit_integrity_alarm'), 'the integrity alarm can be looked for');
    const groups = await select.locator('optgroup').evaluateAll((all: HTMLOptGroupElement[]) => all.map((g) => g.label));
    assert.deepEqual(groups, auditEventsByCategory().map((group) => group.label));

    await select.selectOption({ label: 'Member added' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/event_name=member_added/);
    const expected = await allEvents(data.world.root, `/api/v4/groups/${data.group.id}/audit_events`, '&include_subgroups=true&event_name=member_added');
    assert.ok(expected.length > 0);
    await page.getByText(`${expected.length} events, the whole log for these filters.`).waitFor();
    assert.deepEqual([...new Set(await page.locator('table.audit tbody td:nth-child(2)').allInnerTexts())], ['Member added']);
  });

  it('gives every page a document title that names it, and every time its zone', async () => {
    assert.equal(await page.title(), 'Audit events · acme · Trove');
    // Europe/Berlin in December (newUiPage): GMT+1, on every time shown.
    const times = await page.locator('table.audit time').allInnerTexts();
    assert.ok(times.length > 0 && times.every((t) => / GMT\+1$/.test(t)), times.join(' | '));
    assert.match(await page.locator('form[aria-label="Filter audit events"] label').first().innerText(), /From \(Europe\/Berlin\)/);

    const titles: [string, string][] = [
      ['/', 'Explore · Trove'],
      ['/groups/acme', 'Packages · acme · Trove'],
      ['/groups/acme/-/settings', 'Settings · acme · Trove'],
      ['/projects/acme/web-app/-/audit', 'Audit events · acme/web-app · Trove'],
      ['/projects/acme/web-app', 'Packages · acme/web-app · Trove'],
      ['/tokens', 'Access tokens · Trove'],
      ['/namespaces/olivia/-/settings', 'Settings · olivia · Trove'],
    ];
    for (const [path, title] of titles) {
      await page.goto(`${trove.baseUrl}${path}`);
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      await page.waitForFunction((expected) => document.title === expected, title);
    }
    const [uiKit] = await data.world.root.expect(200, 'GET', `/api/v4/projects/${data.project.id}/packages?package_name=@acme/ui-kit`);
    await page.goto(`${trove.baseUrl}/projects/acme/web-app/-/packages/${uiKit.id}`);
    await page.waitForFunction(() => document.title === 'Package · acme/web-app · Trove');
    await page.locator('main time').first().waitFor();
    const packageTimes = await page.locator('main time').allInnerTexts();
    assert.ok(packageTimes.length > 0 && packageTimes.every((t) => / GMT\+1$/.test(t)), packageTimes.join(' | '));

    await signOut(page);
    assert.equal(await page.title(), 'Sign in · Trove');
    await signInWithToken(page, trove.rootToken);
    await page.getByRole('link', { name: 'Instance audit log' }).click();
    await auditRows(page);
    assert.equal(await page.title(), 'Instance audit log · Trove');
  });

  it('works at 390 px without sideways scrolling of the page; the table scrolls in its own box', async () => {
    const narrow = await newUiPage(browser);
    await narrow.setViewportSize({ width: 390, height: 844 });
    await narrow.goto(`${trove.baseUrl}/admin/audit`);
    await signInWithToken(narrow, trove.rootToken);
    const overflow = () => narrow.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    for (const path of ['/admin/audit', '/groups/acme/-/audit', '/projects/acme/web-app/-/audit', '/groups/acme/-/audit?token_type=deploy_token&token_id=1&include_subgroups=false']) {
      await narrow.goto(`${trove.baseUrl}${path}`);
      await auditRows(narrow);
      assert.ok((await overflow()) <= 0, `${path}: the page is ${await overflow()} px wider than the window`);
    }
    const wrap = narrow.locator('.table-wrap');
    assert.ok(await wrap.evaluate((el) => el.scrollWidth > el.clientWidth), 'the table scrolls inside its box');
    await narrow.getByRole('button', { name: 'Apply filters' }).click();
    await narrow.locator('table.audit tbody tr').first().getByRole('button').first().click();
    await narrow.getByRole('dialog').waitFor();
    assert.ok((await overflow()) <= 0, 'the event drawer fits');
    await narrow.screenshot({ path: join(ARTIFACTS, `web-ui-audit-${TEST_BACKEND}-390.png`), fullPage: true });
    await narrow.context().close();
  });
});
