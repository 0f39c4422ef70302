// One backend: a browser driving the web UI; the API underneath is tested on both databases by the API tests.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { allEvents, publishOk } from '../support/audit-e2e.js';
import { launchChromium } from '../support/browser.js';
import { makePackage, NpmClient } from '../support/npm-client.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { auditRows, newUiPage, signInWithPassword } from '../support/web-ui-browser.js';
import { OWNER_PASSWORD } from '../support/web-ui-data.js';
import { World, type TestUser } from '../support/world.js';

// Protection rules and legal holds in Chromium, as an owner uses them: she protects @acme/* from
// the project page so that a developer's real `npm publish` is refused naming the rule, holds a
// version from its package page so that nobody can delete it, releases it, and finds each change
// in the project's audit events under its readable label. Developers see rules they may not
// change explained, and neither rule forms nor Hold buttons. Trusted publishers are added, edited
// and deleted from the settings page, a group's shown there as inherited.

describe('web UI in Chromium: protection rules and legal holds', () => {
  let trove: RunningTrove;
  let world: World;
  let browser: Browser;
  let group: { id: number; full_path: string };
  let project: { id: number; path_with_namespace: string };
  let owner: TestUser;
  let developer: TestUser;
  let heldId: number;
  const pages: Page[] = [];
  const rulesPath = () => `/api/v4/projects/${project.id}/packages/protection/rules`;

  async function signedIn(username: string, path: string): Promise<Page> {
    const page = await newUiPage(browser);
    pages.push(page);
    await page.goto(`${trove.baseUrl}${path}`);
    await signInWithPassword(page, username, OWNER_PASSWORD);
    return page;
  }

  /** The project's audit events page, once it shows `label` (events load after the page). */
  async function auditLabels(page: Page, label: string): Promise<string[]> {
    await page.goto(`${trove.baseUrl}/projects/acme/web-app/-/audit`);
    const rows = await auditRows(page);
    await rows.filter({ hasText: label }).first().waitFor();
    return rows.locator('td:nth-child(2)').allInnerTexts();
  }

  before(async () => {
    trove = await startTrove();
    browser = await launchChromium();
    world = new World(trove);
    group = await world.group('acme');
    project = await world.project('web-app', group.id);
    [owner, developer] = await Promise.all(['olivia', 'dave'].map((name) => world.user(name)));
    await world.addMember('groups', group.id, owner, 50);
    await world.addMember('groups', group.id, developer, 30);
    await publishOk(owner.api, project.id, '@acme/ui-kit', '1.0.0');
    [{ id: heldId }] = await owner.api.expect(200, 'GET', `/api/v4/projects/${project.id}/packages?package_name=ui-kit`);
  });

  after(async () => {
    await browser?.close();
    await trove?.stop();
  });

  it('lets an owner protect @acme/* from the project page; a developer’s npm publish is then refused naming the rule', async () => {
    const page = await signedIn('olivia', '/projects/acme/web-app');
    const panel = page.getByRole('region', { name: 'Protection rules' });
    await panel.getByText('No protection rules.').waitFor();
    await panel.getByText('Add a protection rule').click();
    const form = panel.getByRole('form', { name: 'Add rule' });
    await form.getByLabel('Package name pattern').fill('@acme/*');
    await form.getByLabel('Format').selectOption('npm');
    await form.getByLabel('Minimum role to publish').selectOption('maintainer');
    await form.getByRole('button', { name: 'Add rule' }).click();
    const row = panel.locator('tbody tr').filter({ hasText: '@acme/*' });
    await row.getByRole('button', { name: 'Edit rule @acme/*' }).waitFor(); // the rules and the owner's level load apart
    assert.deepEqual(await row.locator('td').allInnerTexts(), ['@acme/*', 'npm', 'Maintainer', 'No restriction', 'refused', 'EditDelete']);
    const [rule] = await owner.api.expect(200, 'GET', rulesPath());
    assert.deepEqual([rule.package_name_pattern, rule.minimum_access_level_for_push, rule.allow_deploy_tokens], ['@acme/*', 'maintainer', false]);

    const registry = `${trove.baseUrl}/api/v4/projects/${project.id}/packages/npm/`;
    const refused = await new NpmClient(registry, developer.token).npm(['publish'], makePackage('@acme/widget', '1.0.0'));
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, new RegExp(`protection rule ${rule.id}`));
    const allowed = await new NpmClient(registry, owner.token).npm(['publish'], makePackage('@acme/widget', '1.0.0'));
    assert.equal(allowed.code, 0, allowed.stderr);

    // The API's refusal of a second rule for the same pattern is shown in the form.
    await form.getByLabel('Package name pattern').fill('@acme/*');
    await form.getByRole('button', { name: 'Add rule' }).click();
    await form.getByRole('alert').filter({ hasText: 'already been taken' }).waitFor();
  });

  it('edits and deletes a rule, marks a group’s rule as inherited, and shows developers why they see none', async () => {
    const page = pages[0];
    const panel = page.getByRole('region', { name: 'Protection rules' });
    await panel.getByRole('button', { name: 'Edit rule @acme/*' }).click();
    const form = panel.getByRole('form', { name: 'Save rule @acme/*' });
    await form.getByLabel('Deploy tokens may publish and delete').check();
    await form.getByRole('button', { name: 'Save rule @acme/*' }).click();
    await panel.locator('tbody tr').filter({ hasText: 'allowed' }).waitFor();
    const [rule] = await owner.api.expect(200, 'GET', rulesPath());
    assert.equal(rule.allow_deploy_tokens, true);

    await owner.api.expect(201, 'POST', `/api/v4/groups/${group.id}/packages/protection/rules`, { package_name_pattern: 'internal-*', package_type: 'npm', minimum_access_level_for_delete: 'owner' });
    await page.reload();
    const inherited = panel.locator('tbody tr').filter({ hasText: 'internal-*' });
    await panel.getByRole('button', { name: 'Edit rule @acme/*' }).waitFor();
    await inherited.getByRole('link', { name: 'acme' }).waitFor(); // "inherited from group acme", once the group has loaded
    assert.match(await inherited.innerText(), /inherited from group acme/);
    assert.equal(await inherited.getByRole('button').count(), 0, 'a group rule is changed on its group');
    // The group's settings page lists it, for the group's owner to change.
    await page.goto(`${trove.baseUrl}/groups/acme/-/settings`);
    await page.getByRole('region', { name: 'Protection rules' }).getByRole('button', { name: 'Edit rule internal-*' }).waitFor();

    const devPage = await signedIn('dave', '/projects/acme/web-app');
    const devPanel = devPage.getByRole('region', { name: 'Protection rules' });
    await devPanel.getByText('Only maintainers and owners of the project acme/web-app can see and change its package protection rules.').waitFor();
    assert.equal(await devPanel.getByRole('form').count(), 0);

    await page.goto(`${trove.baseUrl}/projects/acme/web-app`);
    page.once('dialog', (dialog) => void dialog.accept());
    await panel.getByRole('button', { name: 'Delete rule @acme/*' }).click();
    await panel.getByRole('button', { name: 'Delete rule @acme/*' }).waitFor({ state: 'detached' });
    assert.deepEqual((await owner.api.expect(200, 'GET', rulesPath())).map((r: { package_name_pattern: string }) => r.package_name_pattern), ['internal-*']);

    const labels = await auditLabels(page, 'Package protection rule deleted');
    for (const label of ['Package protection rule created', 'Package protection rule updated', 'Package protection rule deleted']) assert.ok(labels.includes(label), `${label} in ${labels}`);
  });

  it('lets an owner add, edit and delete a trusted publisher on the settings page; a group’s is shown inherited, read-only', async () => {
    const publishersPath = `/api/v4/projects/${project.id}/packages/trusted_publishers`;
    await owner.api.expect(201, 'POST', `/api/v4/groups/${group.id}/packages/trusted_publishers`, { issuer: 'https://gitlab.com', claims: { namespace_path: 'acme/*' } });
    const page = await signedIn('olivia', '/projects/acme/web-app/-/settings');
    const panel = page.getByRole('region', { name: 'Trusted publishers' });
    await panel.getByText('Add a trusted publisher').click();
    const form = panel.getByRole('form', { name: 'Add publisher' });
    await form.getByLabel('Issuer').fill('https://gitlab.com');
    await form.getByLabel('Claim conditions').fill('ref=main');
    await form.getByRole('button', { name: 'Add publisher' }).click();
    await form.getByText('claims must name the repository', { exact: false }).waitFor(); // the API's refusal, the values kept
    await form.getByLabel('Claim conditions').fill('project_path=acme/web-app\nref=main');
    await form.getByLabel('Format').selectOption('npm');
    await form.getByRole('button', { name: 'Add publisher' }).click();
    await panel.locator('tbody tr').filter({ hasText: 'project_path = acme/web-app' }).waitFor();
    const [own] = await owner.api.expect(200, 'GET', publishersPath);
    assert.deepEqual([own.claims, own.package_type, own.audience], [{ project_path: 'acme/web-app', ref: 'main' }, 'npm', trove.baseUrl]);
    const inherited = panel.locator('tbody tr').filter({ hasText: 'namespace_path = acme/*' });
    assert.match(await inherited.innerText(), /inherited from group acme/);
    assert.equal(await inherited.getByRole('button').count(), 0, 'a group publisher is changed on its group');

    await panel.getByRole('button', { name: `Edit publisher ${own.id}` }).click();
    const edit = panel.getByRole('form', { name: `Save publisher ${own.id}` });
    await edit.getByLabel('Claim conditions').fill('project_path=acme/web-app\nref=refs/tags/v*');
    await edit.getByRole('button', { name: `Save publisher ${own.id}` }).click();
    await panel.locator('tbody tr').filter({ hasText: 'ref = refs/tags/v*' }).waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    await panel.getByRole('button', { name: `Delete publisher ${own.id}` }).click();
    await panel.getByRole('button', { name: `Delete publisher ${own.id}` }).waitFor({ state: 'detached' });
    assert.deepEqual((await owner.api.expect(200, 'GET', publishersPath)).map((p: { inherited_from: unknown }) => p.inherited_from !== null), [true]);

    const labels = await auditLabels(page, 'Trusted publisher deleted');
    for (const label of ['Trusted publisher created', 'Trusted publisher updated', 'Trusted publisher deleted']) assert.ok(labels.includes(label), `${label} in ${labels}`);
    const devPage = await signedIn('dave', '/projects/acme/web-app/-/settings');
    await devPage.getByRole('region', { name: 'Trusted publishers' }).getByText('Only maintainers and owners of the project acme/web-app can see its trusted publishers.').waitFor();
  });

  it('lets an owner hold a version from its package page; deletes are refused until she releases it', async () => {
    const page = pages[0];
    await page.goto(`${trove.baseUrl}/projects/acme/web-app/-/packages/${heldId}`);
    const version = page.getByRole('article', { name: '1.0.0' });
    await version.getByRole('button', { name: 'Hold' }).click();
    const form = version.getByRole('form', { name: 'Hold 1.0.0' });
    await form.getByLabel('Reason').fill('Investigation of the 1.0.0 release');
    await form.getByLabel('Reference (case number)').fill('CASE-17');
    await form.getByRole('button', { name: 'Hold 1.0.0' }).click();
    const hold = version.getByRole('region', { name: 'Legal hold of 1.0.0' });
    await hold.getByRole('button', { name: 'Release' }).waitFor();
    const shown = await hold.getByRole('note').innerText();
    assert.match(shown, /Investigation of the 1\.0\.0 release · reference CASE-17/);
    assert.match(shown, /Set by user olivia · .* · covers this version/);

    const refused = await world.root.delete(`/api/v4/projects/${project.id}/packages/${heldId}`);
    assert.equal(refused.status, 403);
    assert.match(refused.body.message, /legal hold/);

    // The project page lists it; a developer sees the hold but no Release.
    await page.goto(`${trove.baseUrl}/projects/acme/web-app`);
    const holds = page.getByRole('region', { name: 'Legal holds' });
    assert.match(await holds.getByRole('listitem').innerText(), /@acme\/ui-kit@1\.0\.0 \(npm\): Investigation of the 1\.0\.0 release/);
    const devPage = pages[1];
    await devPage.goto(`${trove.baseUrl}/projects/acme/web-app/-/packages/${heldId}`);
    const devHold = devPage.getByRole('region', { name: 'Legal hold of 1.0.0' });
    await devHold.getByRole('note').waitFor();
    assert.equal(await devHold.getByRole('button').count(), 0);

    await page.goto(`${trove.baseUrl}/projects/acme/web-app/-/packages/${heldId}`);
    await hold.getByRole('button', { name: 'Release' }).click();
    await version.getByRole('button', { name: 'Hold' }).waitFor();
    assert.equal((await owner.api.expect(200, 'GET', `/api/v4/projects/${project.id}/packages/${heldId}`)).legal_hold, null);

    const labels = await auditLabels(page, 'Legal hold released');
    assert.ok(labels.includes('Legal hold set'), String(labels));
    const events = await allEvents(owner.api, `/api/v4/projects/${project.id}/audit_events`);
    const set = events.filter((e) => e.event_name === 'package_legal_hold_set');
    assert.equal(set.length, 1);
    assert.equal(set[0].via, 'web');
  });

  it('shows a banner while the whole project is held, and lets its owner set and release that hold', async () => {
    const page = pages[0];
    await page.goto(`${trove.baseUrl}/projects/acme/web-app`);
    const holds = page.getByRole('region', { name: 'Legal holds' });
    await holds.getByRole('button', { name: 'Hold the whole project' }).click();
    await holds.getByLabel('Reason').fill('Litigation hold');
    await holds.getByRole('button', { name: 'Hold project' }).click();
    const banner = holds.getByRole('note', { name: 'Project legal hold' });
    await banner.waitFor();
    assert.match(await banner.innerText(), /This whole project is under legal hold[\s\S]*Litigation hold/);
    assert.equal((await world.root.delete(`/api/v4/projects/${project.id}/packages/${heldId}`)).status, 403);

    // The version says what holds it, and sends its owner to the project page to release it.
    await page.goto(`${trove.baseUrl}/projects/acme/web-app/-/packages/${heldId}`);
    const hold = page.getByRole('region', { name: 'Legal hold of 1.0.0' });
    await hold.getByText('Released on the project’s page.').waitFor(); // once the owner's level has loaded
    assert.match(await hold.innerText(), /covers the whole project/);
    assert.equal(await hold.getByRole('button').count(), 0);

    await page.goto(`${trove.baseUrl}/projects/acme/web-app`);
    await holds.getByRole('button', { name: 'Release project hold' }).click();
    await holds.getByRole('button', { name: 'Hold the whole project' }).waitFor();
    assert.deepEqual(await owner.api.expect(200, 'GET', `/api/v4/projects/${project.id}/legal_holds`), []);
    const released = (await allEvents(owner.api, `/api/v4/projects/${project.id}/audit_events`)).filter((e) => e.event_name === 'package_legal_hold_released');
    assert.equal(released.length, 2);
  });

  it('holds every version of a name from the package page, releases it from a version, and shows both in the package’s History', async () => {
    const page = pages[0];
    await publishOk(owner.api, project.id, '@acme/ui-kit', '1.1.0');
    await page.goto(`${trove.baseUrl}/projects/acme/web-app/-/packages/${heldId}`);
    await page.getByRole('button', { name: 'Hold every version of @acme/ui-kit' }).click();
    await page.getByLabel('Reason').fill('Subpoena');
    await page.getByLabel('Reference (case number)').fill('SUB-3');
    await page.getByRole('form', { name: 'Hold every version of @acme/ui-kit' }).getByRole('button', { name: 'Hold every version of @acme/ui-kit' }).click();
    for (const version of ['1.0.0', '1.1.0']) {
      const hold = page.getByRole('region', { name: `Legal hold of ${version}` });
      await hold.getByRole('button', { name: 'Release' }).waitFor();
      assert.match(await hold.getByRole('note').innerText(), /Subpoena · reference SUB-3[\s\S]*covers every version of this package name/);
    }
    await page.getByRole('region', { name: 'Legal hold of 1.1.0' }).getByRole('button', { name: 'Release' }).click();
    await page.getByRole('button', { name: 'Hold every version of @acme/ui-kit' }).waitFor();
    assert.deepEqual(await owner.api.expect(200, 'GET', `/api/v4/projects/${project.id}/legal_holds`), []);

    await page.getByRole('link', { name: 'History' }).click();
    const rows = await auditRows(page);
    await rows.filter({ hasText: 'Legal hold released' }).first().waitFor();
    const labels = await rows.locator('td:nth-child(2)').allInnerTexts();
    assert.equal(labels.filter((label) => label === 'Legal hold set').length, 2, String(labels));
  });
});
