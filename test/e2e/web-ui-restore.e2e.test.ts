// One backend: a browser driving the web UI; the API underneath is tested on both databases by the API tests.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { allEvents, publishOk } from '../support/audit-e2e.js';
import { latestEvent } from '../support/audit.js';
import { launchChromium } from '../support/browser.js';
import { makeConsumer, NpmClient } from '../support/npm-client.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { auditRows, newUiPage, signInWithPassword } from '../support/web-ui-browser.js';
import { OWNER_PASSWORD } from '../support/web-ui-data.js';
import { World, type TestUser } from '../support/world.js';

// Undoing an accidental delete in Chromium, as an owner does it: the project's Deleted view
// (?status=deleted) lists who deleted each version, when, and until when it can be restored; she
// restores from there or from the deleted version's own page (confirming first), npm then installs
// the very same tarball, and the project's audit page names her as the one who restored it.
// Developers see the list but no Restore; a refusal (here a protection rule) shows the API's message.

const RESTORED = 'package_registry_package_restored';

describe('web UI in Chromium: deleted versions and restore', () => {
  let trove: RunningTrove;
  let world: World;
  let browser: Browser;
  let project: { id: number; path_with_namespace: string };
  let owner: TestUser;
  let maintainer: TestUser;
  let developer: TestUser;
  const packages = () => `/api/v4/projects/${project.id}/packages`;

  async function signedIn(username: string, path: string): Promise<Page> {
    const page = await newUiPage(browser);
    await page.goto(`${trove.baseUrl}${path}`);
    await signInWithPassword(page, username, OWNER_PASSWORD);
    return page;
  }

  /** Publishes name@version (npm) and deletes it through the API as `by`; returns its package id. */
  async function publishedAndDeleted(name: string, version: string, by: TestUser): Promise<number> {
    await publishOk(owner.api, project.id, name, version);
    const [pkg] = await owner.api.expect(200, 'GET', `${packages()}?package_name=${encodeURIComponent(name)}&package_version=${version}`);
    await by.api.expect(204, 'DELETE', `${packages()}/${pkg.id}`);
    return pkg.id;
  }

  async function tarball(name: string, version: string): Promise<Buffer> {
    const res = await fetch(`${trove.baseUrl}${packages()}/npm/${name}/-/${name.split('/').pop()}-${version}.tgz`, { headers: { authorization: `Bearer ${owner.token}` } });
    assert.equal(res.status, 200, `${name}@${version} downloadable`);
    return Buffer.from(await res.arrayBuffer());
  }

  /** The row of the project's Deleted view that shows `name`, once the list has loaded. */
  async function deletedRow(page: Page, name: string) {
    await page.goto(`${trove.baseUrl}/projects/acme/web-app?status=deleted`);
    const row = page.locator('tbody tr').filter({ has: page.getByRole('link', { name, exact: true }) });
    await row.waitFor();
    return row;
  }

  before(async () => {
    trove = await startTrove();
    browser = await launchChromium();
    world = new World(trove);
    const group = await world.group('acme');
    project = await world.project('web-app', group.id);
    [owner, maintainer, developer] = await Promise.all(['olivia', 'max', 'dave'].map((name) => world.user(name)));
    await world.addMember('groups', group.id, owner, 50);
    await world.addMember('groups', group.id, maintainer, 40);
    await world.addMember('groups', group.id, developer, 30);
  });

  after(async () => {
    await browser?.close();
    await trove?.stop();
  });

  it('lists a deleted version with who and when; the owner restores it, npm installs the same bytes, the audit page names her', async () => {
    await publishOk(owner.api, project.id, '@acme/ui-kit', '1.0.0');
    const original = await tarball('@acme/ui-kit', '1.0.0');
    const [pkg] = await owner.api.expect(200, 'GET', `${packages()}?package_name=ui-kit`);
    await owner.api.expect(204, 'DELETE', `${packages()}/${pkg.id}`);
    const [deleted] = await owner.api.expect(200, 'GET', `${packages()}?status=deleted&package_name=ui-kit`);

    const page = await signedIn('olivia', '/projects/acme/web-app?status=deleted');
    const row = await deletedRow(page, '@acme/ui-kit');
    await row.getByRole('button', { name: 'Restore @acme/ui-kit@1.0.0' }).waitFor(); // the owner's level loads after the list
    const cells = await row.locator('td').allInnerTexts();
    assert.deepEqual(cells.slice(0, 3), ['@acme/ui-kit', 'npm', '1.0.0']);
    assert.match(cells[3], /personal access token "olivia-token" of olivia/);
    const times = await row.locator('time').evaluateAll((els) => els.map((el) => el.getAttribute('datetime')));
    assert.deepEqual(times, [deleted.deletion.deleted_at, deleted.deletion.purge_after]);
    assert.equal(await page.getByLabel('Status').inputValue(), 'deleted');

    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: 'Restore @acme/ui-kit@1.0.0' }).click();
    const restored = page.getByRole('status').filter({ hasText: 'Restored @acme/ui-kit@1.0.0' });
    await restored.waitFor();
    await page.getByText('No deleted version that can still be restored.').waitFor();
    await restored.getByRole('link').click();
    await page.getByRole('article', { name: '1.0.0' }).getByRole('heading', { name: 'Published by' }).waitFor();
    assert.equal((await owner.api.expect(200, 'GET', `${packages()}/${pkg.id}`)).status, 'default');

    const consumer = makeConsumer();
    const install = await new NpmClient(`${trove.baseUrl}${packages()}/npm/`, developer.token).npm(['install', '@acme/ui-kit@1.0.0'], consumer);
    assert.equal(install.code, 0, install.stderr);
    const lock = JSON.parse(readFileSync(join(consumer, 'package-lock.json'), 'utf8'));
    assert.equal(lock.packages['node_modules/@acme/ui-kit'].integrity, `sha512-${createHash('sha512').update(original).digest('base64')}`);
    assert.ok((await tarball('@acme/ui-kit', '1.0.0')).equals(original), 'the same bytes as before the delete');

    await page.goto(`${trove.baseUrl}/projects/acme/web-app/-/audit`);
    const rows = await auditRows(page);
    const restoreRow = rows.filter({ hasText: 'Deleted package restored' });
    await restoreRow.first().waitFor();
    assert.equal(await restoreRow.count(), 1);
    assert.equal(await restoreRow.locator('td.actor .actor-name').innerText(), 'olivia');
    const [event] = (await allEvents(owner.api, `/api/v4/projects/${project.id}/audit_events`)).filter((e) => e.event_name === RESTORED);
    assert.deepEqual([event.actor.type, event.actor.username, event.via, event.package.id], ['user', 'olivia', 'web', pkg.id]);
  });

  it('says on a deleted version’s page until when it can be restored, and shows the live version once restored there', async () => {
    const id = await publishedAndDeleted('@acme/icons', '2.0.0', owner);
    const [deleted] = await owner.api.expect(200, 'GET', `${packages()}?status=deleted&package_name=icons`);
    // From the deletion's event in the project's audit log to the version's page.
    const page = await signedIn('olivia', '/projects/acme/web-app/-/audit');
    await (await auditRows(page)).filter({ hasText: 'Package deleted' }).filter({ hasText: '@acme/icons' }).getByRole('button').first().click();
    await page.getByRole('dialog').getByRole('link', { name: 'Open the version’s page' }).click();
    const note = page.getByRole('note').filter({ hasText: 'Version 2.0.0 was deleted by' });
    await note.getByText('It can still be restored until').waitFor();
    assert.equal(await note.locator('time').getAttribute('datetime'), deleted.deletion.purge_after);

    page.once('dialog', (dialog) => void dialog.accept());
    await note.getByRole('button', { name: 'Restore @acme/icons@2.0.0' }).click();
    await page.getByRole('article', { name: '2.0.0' }).getByRole('heading', { name: 'Published by' }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/projects/acme/web-app/-/packages/${id}`);
    assert.equal(await page.getByText('was deleted by').count(), 0);
    assert.equal((await owner.api.expect(200, 'GET', `${packages()}/${id}`)).status, 'default');
  });

  it('lets the owner purge a deleted version for good from its page, with the reason the audit log records', async () => {
    const id = await publishedAndDeleted('@acme/leaky', '1.0.0', owner);
    const page = await signedIn('olivia', `/projects/acme/web-app/-/packages/${id}`);
    const note = page.getByRole('note').filter({ hasText: 'Version 1.0.0 was deleted by' });
    page.once('dialog', (dialog) => void dialog.accept('npm token in .npmrc'));
    await note.getByRole('button', { name: 'Purge @acme/leaky@1.0.0' }).click();
    await note.getByRole('status').filter({ hasText: 'Purged for good' }).waitFor();
    const deleted = await owner.api.expect(200, 'GET', `${packages()}?status=deleted`);
    assert.ok(!deleted.some((p: { id: number }) => p.id === id), 'no longer restorable');
    const event = await latestEvent(world.root, `/api/v4/projects/${project.id}/audit_events`, 'package_registry_package_purged');
    assert.deepEqual([event.package.id, event.actor.username, event.via], [id, 'olivia', 'web']);
    assert.match(JSON.stringify(event), /npm token in \.npmrc/);
  });

  it('shows developers the deleted versions, with who deleted them, but no Restore', async () => {
    await publishedAndDeleted('@acme/legacy', '0.9.0', maintainer);
    const page = await signedIn('dave', '/projects/acme/web-app?status=deleted');
    const row = await deletedRow(page, '@acme/legacy');
    assert.match(await row.innerText(), /personal access token "max-token" of max/);
    await page.getByText('Only maintainers and owners of acme/web-app can restore them.').waitFor(); // once dave's level has loaded
    assert.equal(await page.getByRole('button', { name: /^Restore/ }).count(), 0);
    assert.equal(await page.getByRole('columnheader', { name: 'Restore' }).count(), 0);
  });

  it('shows the API’s refusal when a protection rule forbids the maintainer’s restore, and keeps the version deleted', async () => {
    const rule = await owner.api.expect(201, 'POST', `${packages()}/protection/rules`, { package_name_pattern: '@acme/*', package_type: 'npm', minimum_access_level_for_push: 'owner' });
    const page = await signedIn('max', '/projects/acme/web-app?status=deleted');
    const row = await deletedRow(page, '@acme/legacy');
    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: 'Restore @acme/legacy@0.9.0' }).click();
    const refusal = row.getByRole('alert');
    await refusal.waitFor();
    assert.match(await refusal.innerText(), new RegExp(`^403 Forbidden - Package protected by project protection rule ${rule.id} \\(npm "@acme/\\*"\\): push needs owner$`));
    const stillDeleted = await owner.api.expect(200, 'GET', `${packages()}?status=deleted`);
    assert.deepEqual(stillDeleted.map((p: { name: string }) => p.name), ['@acme/legacy']);
    const denied = (await allEvents(owner.api, `/api/v4/projects/${project.id}/audit_events`)).filter((e) => e.event_name === 'package_registry_package_publish_denied');
    assert.deepEqual(denied.map((e) => [e.actor.username, e.via, e.package.name]), [['max', 'web', '@acme/legacy']]);
  });
});
