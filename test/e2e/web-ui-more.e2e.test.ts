// One backend: a browser driving the web UI; the API underneath is tested on both databases by the API tests.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { allEvents } from '../support/audit-e2e.js';
import { launchChromium } from '../support/browser.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { auditRows, auditRowsAllShowing, newUiPage, signInWithPassword, signInWithToken, signOut } from '../support/web-ui-browser.js';
import { buildMoreWebUiData, ICON_VERSIONS, OWNER_PASSWORD, type MoreWebUiData } from '../support/web-ui-data.js';

// Issue #6, the rest of the web UI in Chromium: the group audit log's "Include subgroups" (kept in
// the URL), "Load older events" after a filter change, a project's audit view (its events are kept
// on the group), a package with more versions than one page, the user-namespace audit switches,
// personal access tokens (shown once, work, revoked, stop working), and the admin's instance log
// with the events of all that. Data: buildMoreWebUiData (real npm publishes and 55 raw ones).
// 15-17 s next to other test files (20 s under heavier load).

const PUBLISHED = 'package_registry_package_published';

describe('web UI in Chromium, part 2', () => {
  let trove: RunningTrove;
  let data: MoreWebUiData;
  let browser: Browser;
  let page: Page;

  before(async () => {
    trove = await startTrove();
    [data, browser] = await Promise.all([buildMoreWebUiData(trove), launchChromium()]);
    page = await newUiPage(browser);
    await page.goto(trove.baseUrl);
    await signInWithPassword(page, 'olivia', OWNER_PASSWORD);
    await page.getByRole('heading', { name: 'Explore' }).waitFor();
  });

  after(async () => {
    await browser?.close();
    await trove?.stop();
  });

  it('leaves a subgroup project’s event out of the group audit log when "Include subgroups" is unticked, kept in the URL', async () => {
    await page.getByRole('link', { name: 'acme', exact: true }).click();
    await page.getByRole('link', { name: 'Audit events' }).click();
    await auditRows(page);
    await page.getByLabel('Package name').fill('@acme/cli');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/package_name=/);
    const rows = await auditRowsAllShowing(page, '@acme/cli');
    assert.match(await rows.filter({ hasText: 'Package published' }).innerText(), /acme\/platform\/tools\/@acme\/cli-2\.0\.0/);

    await page.getByLabel('Include subgroups').uncheck();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/include_subgroups=false/);
    await page.getByText('No audit events match these filters.').waitFor();

    // The URL alone brings the same view back.
    await page.reload();
    await page.getByText('No audit events match these filters.').waitFor();
    assert.equal(await page.getByLabel('Include subgroups').isChecked(), false);
  });

  it('loads older events of the new filter after a filter change', async () => {
    await page.getByRole('button', { name: 'Clear' }).click();
    await auditRows(page, 50);
    await page.getByRole('button', { name: 'Load older events' }).click();
    await auditRows(page, 51); // the unfiltered log's cursor has moved past the first page

    await page.getByLabel('Event names').selectOption([PUBLISHED]);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/event_name=package_registry_package_published/);
    const rows = await auditRowsAllShowing(page, 'Package published');
    await page.getByRole('button', { name: 'Load older events' }).waitFor();
    assert.equal(await rows.count(), 50);
    await page.getByRole('button', { name: 'Load older events' }).click();
    const expected = await allEvents(data.world.root, `/api/v4/groups/${data.group.id}/audit_events`, `&include_subgroups=true&event_name=${PUBLISHED}`);
    await page.getByText(`${expected.length} events, the whole log for these filters.`).waitFor();
    assert.ok(expected.length > 50);
    assert.deepEqual(await rows.locator('td:nth-child(5)').allInnerTexts(), expected.map((e) => e.details.target_details));
    assert.deepEqual([...new Set(await rows.locator('td:nth-child(2)').allInnerTexts())], ['Package published']);
  });

  it('shows a project’s audit events, also those kept on its group', async () => {
    await page.getByRole('link', { name: 'Explore' }).click();
    await page.getByRole('link', { name: 'acme/platform/tools' }).click();
    await page.getByRole('link', { name: 'Audit events' }).click();
    await page.waitForURL(/\/projects\/acme\/platform\/tools\/-\/audit$/);
    const rows = await auditRows(page);
    const expected = await allEvents(data.world.root, `/api/v4/projects/${data.tools.id}/audit_events`);
    assert.ok(expected.length >= 2, 'publish and its latest tag');
    assert.ok(expected.every((e) => e.entity_type === 'Group' && e.details.entity_path === 'acme/platform'));
    await page.getByText(`${expected.length} events, the whole log for these filters.`).waitFor();
    const labels: Record<string, string> = { [PUBLISHED]: 'Package published', package_registry_package_tag_created: 'Dist-tag created', project_created: 'Project created' };
    assert.deepEqual(await rows.locator('td:nth-child(2)').allInnerTexts(), expected.map((e) => labels[e.event_name]));
  });

  it('shows every dist-tag and pages through all versions of a package with more than one page of them', async () => {
    await page.getByRole('link', { name: 'Explore' }).click();
    await page.getByRole('link', { name: 'acme/web-app' }).click();
    await page.getByRole('row', { name: /1\.0\.54/ }).getByRole('link', { name: '@acme/icons' }).click();
    const tags = page.getByRole('region', { name: 'Dist-tags' });
    await tags.getByText('legacy → 1.0.0').waitFor();
    assert.deepEqual(await tags.getByRole('listitem').allInnerTexts(), ['latest → 1.0.54', 'legacy → 1.0.0']);
    await page.getByRole('heading', { name: `Versions (${ICON_VERSIONS.length})` }).waitFor();
    assert.equal(await page.getByRole('article').count(), 50);
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.waitForURL(/versions_page=2/);
    await page.getByRole('article', { name: '1.0.0' }).locator('header').getByText('legacy').waitFor();
    assert.equal(await page.getByRole('article').count(), ICON_VERSIONS.length - 50);
  });

  it('shows the user namespace’s audit switches with their inherited values and saves a change', async () => {
    await page.getByRole('link', { name: 'My namespace' }).click();
    await page.getByRole('heading', { name: 'olivia', level: 1 }).waitFor();
    const audit = page.getByRole('group', { name: 'Package audit events' });
    const downloads = page.getByRole('group', { name: 'Download events' });
    await audit.getByText('Inherited value: enabled (from the instance default).').waitFor();
    await downloads.getByText('Inherited value: disabled (from the instance default).').waitFor();
    assert.equal(await downloads.getByLabel('Setting').inputValue(), 'inherit');
    await downloads.getByLabel('Setting').selectOption('enabled');
    await page.getByRole('button', { name: 'Save audit settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await downloads.getByText('In effect: enabled (set here).').waitFor();
    const settings = await data.world.root.expect(200, 'GET', '/api/v4/namespaces/olivia/packages/settings');
    assert.equal(settings.package_download_events, 'enabled');
    assert.equal(settings.package_audit_events, 'inherit');
  });

  it('shows the settings the formats declare, from the API, and saves one', async () => {
    const formats = await data.world.root.expect(200, 'GET', '/api/v4/package_formats');
    const declared = formats.flatMap((format: any) => format.settings.map((setting: any) => ({ ...setting, format: format.display_name })));
    assert.ok(declared.length > 0, 'a format declares a setting');
    const panel = page.getByRole('region', { name: 'Package format settings' });
    for (const setting of declared) {
      const group = panel.getByRole('group', { name: `${setting.format}: ${setting.key}` });
      await group.getByText(setting.description).waitFor();
      await group.getByText(`In effect: ${setting.kind === 'regex' ? 'none' : setting.default ? 'yes' : 'no'}`).waitFor();
      assert.equal(await group.getByLabel('Setting').inputValue(), 'inherit');
    }
    const [first] = declared.filter((setting: any) => setting.kind === 'boolean');
    const group = panel.getByRole('group', { name: `${first.format}: ${first.key}` });
    await group.getByLabel('Setting').selectOption(first.default ? 'false' : 'true');
    await panel.getByRole('button', { name: 'Save format settings' }).click();
    await panel.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await group.getByText(`In effect: ${first.default ? 'no' : 'yes'}`).waitFor();
    const settings = await data.world.root.expect(200, 'GET', '/api/v4/namespaces/olivia/packages/settings');
    assert.deepEqual([settings[first.key], settings[`${first.key}_source`]], [!first.default, 'olivia']);
    assert.equal(settings.package_download_events, 'enabled', 'the audit settings are left as they were');
  });

  it('sets a regex format setting by typing a pattern, and shows why a pattern that does not compile is refused', async () => {
    const formats = await data.world.root.expect(200, 'GET', '/api/v4/package_formats');
    const regex = formats.flatMap((format: any) => format.settings.map((setting: any) => ({ ...setting, format: format.display_name }))).find((setting: any) => setting.kind === 'regex');
    assert.ok(regex, 'a format declares a regex setting');
    const panel = page.getByRole('region', { name: 'Package format settings' });
    const group = panel.getByRole('group', { name: `${regex.format}: ${regex.key}` });
    const pattern = group.getByLabel('Regular expression');
    await pattern.fill('(unclosed');
    assert.equal(await group.getByLabel('Setting').inputValue(), 'set', 'typing a pattern sets it here');
    await panel.getByRole('button', { name: 'Save format settings' }).click();
    await panel.getByRole('alert').filter({ hasText: `${regex.key} is not a valid regular expression` }).waitFor();
    assert.equal((await data.world.root.expect(200, 'GET', '/api/v4/namespaces/olivia/packages/settings'))[regex.key], null, 'nothing stored');

    await pattern.fill('^1\\.');
    await panel.getByRole('button', { name: 'Save format settings' }).click();
    await panel.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await group.getByText('In effect: ^1\\.').waitFor();
    const settings = await data.world.root.expect(200, 'GET', '/api/v4/namespaces/olivia/packages/settings');
    assert.deepEqual([settings[regex.key], settings[`${regex.key}_source`]], ['^1\\.', 'olivia']);

    await group.getByLabel('Setting').selectOption('inherit');
    await panel.getByRole('button', { name: 'Save format settings' }).click();
    await group.getByText('In effect: none').waitFor();
    assert.equal((await data.world.root.expect(200, 'GET', '/api/v4/namespaces/olivia/packages/settings'))[regex.key], null, 'inherited again');
  });

  it('creates a personal access token (secret shown once, it works), revokes it, and it stops working', async () => {
    await page.getByRole('link', { name: 'Access tokens' }).click();
    const tokens = page.getByRole('region', { name: 'Your tokens' });
    await tokens.getByRole('row', { name: /olivia-laptop/ }).waitFor();
    await tokens.getByLabel('Token name').fill('olivia-desk');
    await tokens.getByLabel('read_api').check();
    await tokens.getByRole('button', { name: 'Create token' }).click();
    const secret = await tokens.getByLabel('Token', { exact: true }).inputValue();
    assert.match(secret, /^glpat-/);
    const asToken = (path: string) => fetch(`${trove.baseUrl}${path}`, { headers: { 'PRIVATE-TOKEN': secret } });
    const me = await asToken('/api/v4/user');
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { username: string }).username, 'olivia');
    assert.equal((await asToken(`/api/v4/projects/${data.project.id}/packages/npm/@acme%2fui-kit`)).status, 200, 'read_package_registry works with npm');

    await tokens.getByRole('button', { name: 'Done' }).click();
    await tokens.getByLabel('Token', { exact: true }).waitFor({ state: 'detached' });
    assert.ok(!(await page.content()).includes(secret), 'the secret is gone from the page');
    const row = tokens.getByRole('row', { name: /olivia-desk/ });
    assert.match(await row.innerText(), /read_api, read_package_registry[\s\S]*active/);

    page.once('dialog', (dialog) => void dialog.accept());
    await tokens.getByRole('button', { name: 'Revoke olivia-desk' }).click();
    await tokens.getByRole('row', { name: /olivia-desk.*revoked/ }).waitFor();
    assert.equal((await asToken('/api/v4/user')).status, 401);
  });

  it('lets the admin read all of that in the instance audit log, filtered by author and event', async () => {
    await signOut(page);
    await signInWithToken(page, trove.rootToken);
    await page.getByRole('link', { name: 'Instance audit log' }).click();
    await page.getByRole('heading', { name: 'Instance audit log' }).waitFor();
    await page.getByLabel('Author (username or token name)').fill('olivia');
    await page.getByLabel('Event names').selectOption(['package_registry_audit_settings_updated', 'personal_access_token_created', 'personal_access_token_revoked']);
    await page.getByLabel('Via').selectOption('web');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/author=olivia/);
    const rows = await auditRows(page, 3);
    await page.getByText('3 events, the whole log for these filters.').waitFor();
    assert.deepEqual(await rows.locator('td:nth-child(2)').allInnerTexts(), ['Personal access token revoked', 'Personal access token created', 'Audit settings updated']);
    assert.deepEqual([...new Set(await rows.locator('td.actor .actor-name').allInnerTexts())], ['olivia']);
    assert.deepEqual([...new Set(await rows.locator('td:nth-child(4)').allInnerTexts())].map((t) => t.replace(/ \d.*$/, '')), ['Web UI · HeadlessChrome']);
    await rows.nth(1).getByRole('button', { name: 'Personal access token created' }).click();
    assert.match(await page.getByRole('dialog').locator('pre.json').innerText(), /olivia-desk/);
    await page.keyboard.press('Escape');
  });
});
