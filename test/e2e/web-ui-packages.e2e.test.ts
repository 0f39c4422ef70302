// One backend: a browser driving the web UI; the API underneath is tested on both databases by the API tests.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { allEvents, publishOk } from '../support/audit-e2e.js';
import { launchChromium } from '../support/browser.js';
import { publishOneOfEachFormat } from '../support/format-samples.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { auditRows, newUiPage, signInWithPassword, signInWithToken } from '../support/web-ui-browser.js';
import { OWNER_PASSWORD } from '../support/web-ui-data.js';
import { World, type TestUser } from '../support/world.js';

// The packages, members, tokens and settings pages in Chromium: hidden versions only when asked
// for, deprecated versions said as such, a deleted package's page (who, when, how, history) for
// readers of the audit log and a plain "not found" for others, the tokens and settings pages at
// 390 px, read-only sign-ins shown no form they cannot submit (with the actual cause), and the
// members pages of a group and a project, each change checked through the API.

const DEPRECATION = 'use @acme/pad 2.x instead';

describe('web UI in Chromium: packages, members, tokens and settings', () => {
  let trove: RunningTrove;
  let world: World;
  let browser: Browser;
  let group: { id: number; full_path: string };
  let project: { id: number; path_with_namespace: string };
  let owner: TestUser;
  let maintainer: TestUser;
  let reporter: TestUser;
  let reader: TestUser;
  let readerToken: string;
  let deletedId: number;
  const pages: Page[] = [];

  /** A fresh browser context signed in with the user's password, at the given path. */
  async function signedIn(username: string, path: string, viewport?: { width: number; height: number }): Promise<Page> {
    const page = await newUiPage(browser, viewport);
    pages.push(page);
    await page.goto(`${trove.baseUrl}${path}`);
    await signInWithPassword(page, username, OWNER_PASSWORD);
    return page;
  }

  const uploadGeneric = (version: string, query: string) =>
    owner.api.request('PUT', `/api/v4/projects/${project.id}/packages/generic/tool/${version}/tool.bin${query}`, Buffer.from(version), { 'content-type': 'application/octet-stream' });

  before(async () => {
    trove = await startTrove();
    browser = await launchChromium();
    world = new World(trove);
    group = await world.group('acme');
    project = await world.project('web-app', group.id);
    [owner, maintainer, reporter, reader] = await Promise.all(['olivia', 'max', 'rita', 'carl'].map((name) => world.user(name)));
    await world.user('newbie');
    await world.addMember('groups', group.id, owner, 50);
    await world.addMember('groups', group.id, maintainer, 40);
    await world.addMember('groups', group.id, reporter, 20);
    await world.addMember('groups', group.id, reader, 50);
    readerToken = (await world.token(reader, 'ci-read', ['read_api'])).token;
    await world.deployToken('groups', group.id, 'release-bot-with-a-rather-long-name', ['read_package_registry', 'write_package_registry']);
    await world.token(owner, 'olivia-laptop-with-a-rather-long-name', ['api', 'read_api', 'read_package_registry', 'write_package_registry']);
    assert.equal((await uploadGeneric('1.0.0', '')).status, 201);
    assert.equal((await uploadGeneric('1.1.0', '?status=hidden')).status, 201);
    await publishOk(owner.api, project.id, '@acme/pad', '1.0.0');
    const deprecate = await owner.api.put(`/api/v4/projects/${project.id}/packages/npm/@acme%2fpad`, { name: '@acme/pad', versions: { '1.0.0': { name: '@acme/pad', version: '1.0.0', deprecated: DEPRECATION } } });
    assert.equal(deprecate.status, 200, deprecate.text);
    await publishOk(owner.api, project.id, '@acme/gone', '0.1.0');
    [{ id: deletedId }] = await owner.api.expect(200, 'GET', `/api/v4/projects/${project.id}/packages?package_name=gone`);
    await maintainer.api.expect(204, 'DELETE', `/api/v4/projects/${project.id}/packages/${deletedId}`);
  });

  after(async () => {
    await browser?.close();
    await trove?.stop();
  });

  it('lists hidden versions only when the Status filter asks for them', async () => {
    const page = await signedIn('olivia', '/projects/acme/web-app');
    const rows = page.locator('table tbody tr');
    await rows.filter({ hasText: '@acme/pad' }).waitFor();
    const listed = await rows.filter({ hasText: 'tool' }).allInnerTexts();
    assert.equal(listed.length, 1);
    assert.match(listed[0], /1\.0\.0/);
    await page.getByLabel('Status').selectOption('hidden');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/status=hidden/);
    await rows.filter({ hasText: '1.1.0' }).waitFor();
    assert.deepEqual(await rows.locator('td:nth-child(3)').allInnerTexts(), ['1.1.0']);
    assert.equal(await rows.locator('td:nth-child(4)').innerText(), 'hidden');
    // Its page shows it, although the package's list of versions does not.
    await rows.getByRole('link', { name: 'tool' }).click();
    await page.getByText('This version is hidden: lists show it only when asked for that status.').waitFor();
    assert.deepEqual(await page.getByRole('article').locator('h3').allInnerTexts(), ['1.1.0', '1.0.0']);
  });

  it('shows each format’s install steps on its package page, exactly as the API gives them', async () => {
    const samples = await world.project('one-of-each', group.id);
    await publishOneOfEachFormat(trove.baseUrl, samples.id, owner.token, world.root);
    const formats = (await world.root.expect(200, 'GET', '/api/v4/package_formats')).map((f: { name: string }) => f.name);
    const packages = await world.root.expect(200, 'GET', `/api/v4/projects/${samples.id}/packages?per_page=100`);
    assert.deepEqual(packages.map((p: { package_type: string }) => p.package_type).sort(), [...formats].sort());
    const page = await signedIn('olivia', `/projects/${samples.path_with_namespace}`);
    for (const pkg of packages) {
      const expected = await world.root.expect(200, 'GET', `/api/v4/projects/${samples.id}/packages/${pkg.id}/instructions`);
      assert.ok(expected.install.length > 0, pkg.package_type);
      await page.goto(`${trove.baseUrl}/projects/${samples.path_with_namespace}/-/packages/${pkg.id}`);
      const install = page.getByRole('region', { name: 'Install' });
      await install.locator('pre').first().waitFor();
      assert.deepEqual(await install.locator('pre').allInnerTexts(), expected.install.map((step: { command: string }) => step.command), pkg.package_type);
      assert.deepEqual(await install.locator('.copy-head span').allInnerTexts(), expected.install.map((step: { title: string }) => step.title), pkg.package_type);
    }
  });

  it('shows a deprecated version as deprecated, with its message, in the list and on its page', async () => {
    const page = pages[0];
    await page.goto(`${trove.baseUrl}/projects/acme/web-app`);
    const row = page.locator('table tbody tr').filter({ hasText: '@acme/pad' });
    assert.equal(await row.locator('td:nth-child(4)').innerText(), `deprecated\n${DEPRECATION}`);
    await row.getByRole('link', { name: '@acme/pad' }).click();
    const version = page.getByRole('article', { name: '1.0.0' });
    await version.locator('.deprecated-badge').waitFor();
    assert.match(await version.locator('header').innerText(), /deprecated/);
    assert.doesNotMatch(await version.locator('header').innerText(), /default/);
    assert.equal(await version.getByRole('note').innerText(), `Deprecated: ${DEPRECATION}`);
  });

  it('shows who deleted a package, when and how, with its history, to readers of the audit log', async () => {
    const page = pages[0];
    await page.goto(`${trove.baseUrl}/projects/acme/web-app/-/packages/${deletedId}`);
    await page.getByRole('heading', { name: '@acme/gone' }).waitFor();
    assert.match(await page.getByRole('note').innerText(), /Version 0\.1\.0 was deleted by personal access token "max-token" of max\./);
    const by = await page.locator('dl.published-by').innerText();
    assert.match(by, /REST API/);
    const rows = await auditRows(page, 2);
    const events = await rows.locator('td:nth-child(2)').allInnerTexts();
    assert.deepEqual([events[0], events.at(-1)], ['Package deleted', 'Package published']);
  });

  it('shows the plain "not found" of a deleted package to a reporter, who may not read the audit log', async () => {
    const page = await signedIn('rita', `/projects/acme/web-app/-/packages/${deletedId}`);
    await page.getByRole('alert').filter({ hasText: '404 Package Not Found' }).waitFor();
    assert.doesNotMatch(await page.locator('main').innerText(), /deleted|max|@acme\/gone/);
  });

  for (const [label, path, revokeName] of [
    ['personal access tokens', '/tokens', 'Revoke olivia-laptop-with-a-rather-long-name'],
    ['group settings', '/groups/acme/-/settings', 'Revoke release-bot-with-a-rather-long-name'],
  ]) {
    it(`fits the ${label} page into 390 px with Revoke on screen and working`, async () => {
      const page = await signedIn('olivia', path, { width: 390, height: 844 });
      const revoke = page.getByRole('button', { name: revokeName });
      await revoke.waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `page is ${overflow}px wider than the window`);
      const box = (await revoke.boundingBox())!;
      assert.ok(box.x >= 0 && box.x + box.width <= 390, `Revoke at x=${box.x}..${box.x + box.width}`);
      page.once('dialog', (dialog) => void dialog.accept());
      await revoke.click({ trial: false });
      await revoke.waitFor({ state: 'detached' });
      const row = page.locator('tr').filter({ hasText: revokeName.replace('Revoke ', '') });
      assert.match(await row.innerText(), /revoked/);
    });
  }

  it('offers a read_api token sign-in no settings or token forms, and says the token’s scope is why', async () => {
    const page = await newUiPage(browser);
    pages.push(page);
    await page.goto(`${trove.baseUrl}/groups/acme/-/settings`);
    await signInWithToken(page, readerToken);
    for (const panel of ['Audit settings', 'Package format settings']) {
      const note = page.getByRole('region', { name: panel }).getByRole('note').filter({ hasText: 'changing settings' });
      assert.equal(await note.innerText(), 'Signed in with token “ci-read” (read_api): changing settings needs the api scope.', panel);
    }
    await page.getByText('Package audit events', { exact: true }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Save audit settings' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Save format settings' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Create token' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /^Revoke/ }).count(), 0);
    await page.getByRole('link', { name: 'Access tokens' }).click();
    await page.getByRole('note').filter({ hasText: 'creating or revoking tokens needs the api scope' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Create token' }).count(), 0);
    await page.getByRole('link', { name: 'Explore' }).click();
    await page.getByRole('note').filter({ hasText: 'Signed in with token “ci-read” (read_api): creating groups and projects needs the api scope.' }).waitFor();
    assert.equal(await page.getByText('Create a group or a project').count(), 0);
    await page.goto(`${trove.baseUrl}/groups/acme/-/members`);
    await page.getByRole('note').filter({ hasText: 'changing members needs the api scope' }).waitFor();
    await page.getByRole('cell', { name: 'max' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Add member' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /^Remove/ }).count(), 0);
  });

  it('offers a maintainer no group settings form, saying only owners may change them', async () => {
    const page = await signedIn('max', '/groups/acme/-/settings');
    for (const panel of ['Audit settings', 'Package format settings']) {
      await page.getByRole('region', { name: panel }).getByRole('note').filter({ hasText: 'Only owners of the group acme can change these settings.' }).waitFor();
    }
    await page.getByRole('note').filter({ hasText: 'Only owners of the group acme can see and create its deploy tokens.' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Save audit settings' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Save format settings' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Create token' }).count(), 0);
  });

  for (const [kind, path, id] of [
    ['groups', 'acme', () => group.id],
    ['projects', 'acme/web-app', () => project.id],
  ] as const) {
    it(`adds, changes and removes members of a ${kind.slice(0, -1)} through its Members page`, async () => {
      const page = await signedIn('olivia', `/${kind}/${path}`);
      await page.getByRole('link', { name: 'Members' }).click();
      const members = async () => (await owner.api.expect(200, 'GET', `/api/v4/${kind}/${id()}/members`)) as { username: string; access_level: number; expires_at: string | null }[];
      const levelOf = async (username: string) => (await members()).find((m) => m.username === username)?.access_level;
      const status = page.getByRole('status');

      await page.getByLabel('Username').fill('nobody');
      await page.getByRole('button', { name: 'Add member' }).click();
      await page.getByRole('alert').filter({ hasText: 'There is no user named “nobody”.' }).waitFor();

      await page.getByLabel('Username').fill('newbie');
      await page.getByRole('form', { name: 'Add a member' }).getByLabel('Access level').selectOption('30');
      await page.getByLabel('Expires (optional, UTC)').fill('2099-12-31');
      await page.getByRole('button', { name: 'Add member' }).click();
      await status.filter({ hasText: 'Added newbie as Developer until 2099-12-31.' }).waitFor();
      assert.equal((await members()).find((m) => m.username === 'newbie')?.expires_at, '2099-12-31');
      await page.getByRole('row', { name: /newbie/ }).getByText('2099-12-31').waitFor();
      assert.equal(await levelOf('newbie'), 30);
      await page.getByLabel('Access level of newbie').waitFor();

      await page.getByLabel('Username').fill('newbie');
      await page.getByRole('button', { name: 'Add member' }).click();
      await page.getByRole('alert').filter({ hasText: 'already a member' }).waitFor();

      await page.getByLabel('Access level of newbie').selectOption('20');
      await status.filter({ hasText: 'newbie is now Reporter.' }).waitFor();
      assert.equal(await levelOf('newbie'), 20);

      page.once('dialog', (dialog) => void dialog.accept());
      await page.getByRole('button', { name: 'Remove newbie' }).click();
      await status.filter({ hasText: 'Removed newbie.' }).waitFor();
      assert.equal(await levelOf('newbie'), undefined);
      await page.getByRole('button', { name: 'Remove newbie' }).waitFor({ state: 'detached' });

      // Each change is in the audit log where the membership is, by olivia through the web UI.
      const events = await allEvents(owner.api, `/api/v4/${kind}/${id()}/audit_events`, '&event_name=member_added&event_name=member_access_level_changed&event_name=member_removed');
      const newbie = events
        .filter((e) => e.event_name.startsWith('member_') && e.details.target_details.includes('newbie'))
        .filter((e) => (kind === 'projects' ? e.project?.id === project.id : e.project === null))
        .reverse();
      assert.deepEqual(
        newbie.map((e) => [e.event_name, e.actor.username, e.via, e.changes?.access_level, e.changes?.expires_at?.from ?? null]),
        [
          ['member_added', 'olivia', 'web', { from: null, to: 30 }, null],
          ['member_access_level_changed', 'olivia', 'web', { from: 30, to: 20 }, '2099-12-31'],
          ['member_removed', 'olivia', 'web', { from: 20, to: null }, '2099-12-31'],
        ],
      );
    });
  }

  it('shows GitLab’s refusals of a membership change in words', async () => {
    const page = await signedIn('max', '/groups/acme/-/members');
    await page.getByLabel('Username').fill('newbie');
    await page.getByRole('form', { name: 'Add a member' }).getByLabel('Access level').selectOption('50');
    await page.getByRole('button', { name: 'Add member' }).click();
    await page.getByRole('alert').filter({ hasText: 'You cannot grant an access level above your own' }).waitFor();
    assert.equal(await maintainer.api.expect(200, 'GET', `/api/v4/groups/${group.id}/members`).then((list: { username: string }[]) => list.some((m) => m.username === 'newbie')), false);
  });

  it('offers a reporter no member forms, saying only maintainers and owners may change members', async () => {
    const page = await signedIn('rita', '/groups/acme/-/members');
    await page.getByRole('note').filter({ hasText: 'Only maintainers and owners of the group acme can change its members; you are Reporter here.' }).waitFor();
    await page.getByRole('row', { name: /olivia/ }).waitFor();
    assert.equal(await page.getByRole('form', { name: 'Add a member' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /^Remove / }).count(), 0);
    assert.equal(await page.getByRole('combobox', { name: /^Access level of / }).count(), 0);
  });

  it('includes subgroups on a group’s Packages and Audit events tabs alike, each with a box that says so', async () => {
    const sub = await world.group('platform', group.id);
    const cli = await world.project('cli', sub.id);
    const put = await owner.api.request('PUT', `/api/v4/projects/${cli.id}/packages/generic/subtool/1.0.0/subtool.bin`, Buffer.from('sub'), { 'content-type': 'application/octet-stream' });
    assert.equal(put.status, 201, put.text);
    const page = await signedIn('olivia', '/groups/acme');
    const box = page.getByRole('search', { name: 'Filter packages' }).getByLabel('Include subgroups');
    assert.equal(await box.isChecked(), true);
    await page.getByRole('link', { name: 'subtool' }).waitFor();
    await box.uncheck();
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/include_subgroups=false/);
    await page.getByRole('link', { name: 'subtool' }).waitFor({ state: 'detached' });

    await page.goto(`${trove.baseUrl}/groups/acme/-/audit`);
    assert.equal(await page.getByRole('form', { name: 'Filter audit events' }).getByLabel('Include subgroups').isChecked(), true);
    await page.locator('table.audit tbody tr').filter({ hasText: 'subtool' }).first().waitFor();
  });
});
