// One backend: a browser driving the web UI; the API underneath is tested on both databases by the API tests.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { latestEvent } from '../support/audit.js';
import { launchChromium } from '../support/browser.js';
import { pushSmallImage } from '../support/oci-workspace.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { newUiPage, signInWithPassword } from '../support/web-ui-browser.js';
import { OWNER_PASSWORD } from '../support/web-ui-data.js';
import { World, type TestUser } from '../support/world.js';

// A project's Container images page in Chromium: each image's tags with digest and pusher, a
// tag's history after it moved (both digests, who moved it with which token), and a maintainer
// deleting a tag after confirming (a refusal shows the API's message); a developer is offered no Delete.

describe('web UI in Chromium: container images', () => {
  let trove: RunningTrove;
  let world: World;
  let browser: Browser;
  let maintainer: TestUser;
  let developer: TestUser;
  let groupEvents: string;
  const digests: Record<string, string> = {};

  async function containersPage(username: string): Promise<Page> {
    const page = await newUiPage(browser);
    await page.goto(`${trove.baseUrl}/projects/acme/web-app/-/containers`);
    await signInWithPassword(page, username, OWNER_PASSWORD);
    return page;
  }

  before(async () => {
    trove = await startTrove();
    browser = await launchChromium();
    world = new World(trove);
    const group = await world.group('acme');
    groupEvents = `/api/v4/groups/${group.id}/audit_events`;
    const project = await world.project('web-app', group.id);
    maintainer = await world.user('max');
    developer = await world.user('dave', ['api'], 'ci-push');
    await world.addMember('projects', project.id, maintainer, 40);
    await world.addMember('projects', project.id, developer, 30);
    digests.old = (await pushSmallImage(developer.api, 'acme/web-app/api', 'prod', 'first build')).digest;
    digests.prod = (await pushSmallImage(developer.api, 'acme/web-app/api', 'prod', 'second build')).digest;
    digests.beta = (await pushSmallImage(developer.api, 'acme/web-app/api', 'beta', 'beta build')).digest;
  });

  after(async () => {
    await browser?.close();
    await trove?.stop();
  });

  it("shows each tag's digest, platform and pusher, and the history of a moved tag", async () => {
    const page = await containersPage('dave');
    const table = page.getByRole('table', { name: 'Tags of acme/web-app/api' });
    const prod = table.locator('tbody tr').filter({ has: page.getByRole('link', { name: 'prod', exact: true }) });
    await prod.waitFor();
    const cells = await prod.locator('td').allInnerTexts();
    assert.equal(cells[1], digests.prod);
    assert.equal(cells[3], 'linux/amd64');
    assert.match(cells[4]!, /personal access token "ci-push" of dave/);
    assert.equal(await table.locator('tbody tr').count(), 2);
    // A developer may not delete tags: no button.
    assert.equal(await page.getByRole('button', { name: /Delete tag/ }).count(), 0);

    await prod.getByRole('link', { name: 'prod', exact: true }).click();
    const history = page.getByRole('table', { name: 'History of prod' });
    await history.waitFor();
    const rows = history.locator('tbody tr');
    assert.equal(await rows.count(), 2);
    const digestsShown = await rows.locator('td:nth-child(2)').allInnerTexts();
    assert.deepEqual(digestsShown, [digests.prod, digests.old]);
    assert.match(await rows.first().locator('td:nth-child(3)').innerText(), /"ci-push" of dave/);
    // How the push came (pushed here with Node's fetch): the client's name from its User-Agent.
    assert.match(await rows.first().locator('td:nth-child(4)').innerText(), / · node$/);

    // The group's tab lists its projects' images, each linking to its project's tab.
    await page.goto(`${trove.baseUrl}/groups/acme/-/containers`);
    const image = page.getByRole('region', { name: 'Image acme/web-app/api' });
    await image.getByRole('link', { name: 'Tags in its project' }).click();
    await page.getByRole('table', { name: 'Tags of acme/web-app/api' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/projects/acme/web-app/-/containers');
    await page.close();
  });

  it('lets a maintainer delete a tag after confirming, and the audit log names him', async () => {
    const page = await containersPage('max');
    const table = page.getByRole('table', { name: 'Tags of acme/web-app/api' });
    const button = page.getByRole('button', { name: 'Delete tag acme/web-app/api:beta' });
    await button.waitFor();
    // Dismissing the confirmation deletes nothing.
    page.once('dialog', (dialog) => void dialog.dismiss());
    await button.click();
    assert.equal(await table.getByRole('link', { name: 'beta', exact: true }).count(), 1);
    page.once('dialog', (dialog) => void dialog.accept());
    await button.click();
    // The list reloads (the table goes while it loads): wait for beta to go and prod to be back.
    await table.getByRole('link', { name: 'beta', exact: true }).waitFor({ state: 'detached' });
    await table.getByRole('link', { name: 'prod', exact: true }).waitFor();
    assert.deepEqual(await table.locator('tbody tr td:first-child').allInnerTexts(), ['prod']);

    const deleted = await latestEvent(world.root, groupEvents, 'container_registry_tag_deleted');
    assert.equal(deleted.actor.username, 'max');
    assert.equal(deleted.via, 'web');
    assert.deepEqual(deleted.changes.digest, { from: digests.beta, to: null });

    // A refusal is shown where the delete was asked for: here the tag went meanwhile, through the API.
    const [repository] = await maintainer.api.expect(200, 'GET', `/api/v4/projects/acme%2Fweb-app/registry/repositories`);
    await maintainer.api.expect(200, 'DELETE', `/api/v4/projects/acme%2Fweb-app/registry/repositories/${repository.id}/tags/prod`);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete tag acme/web-app/api:prod' }).click();
    await page.getByRole('alert').filter({ hasText: '404 Tag Not Found' }).waitFor();
    await page.close();
  });
});
