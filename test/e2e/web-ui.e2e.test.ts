// One backend: a browser driving the web UI; the API underneath is tested on both databases by the API tests.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { allEvents } from '../support/audit-e2e.js';
import { ARTIFACTS, launchChromium } from '../support/browser.js';
import { makePackage, NpmClient } from '../support/npm-client.js';
import { TEST_BACKEND } from '../support/test-database.js';
import { REPO_ROOT, startTrove, type RunningTrove } from '../support/trove-process.js';
import { newUiPage, signInWithPassword, signInWithToken, signOut } from '../support/web-ui-browser.js';
import { buildWebUiData, OWNER_PASSWORD, type WebUiData } from '../support/web-ui-data.js';

// Issue #6: the web UI in a real browser (Debian's chromium through playwright-core) against the
// real server, with data from real npm publishes. A group owner signs in, reads who published a
// version, filters and exports the group's audit log, changes the audit setting and sees its
// event; CSRF and sign-out are checked from inside the page; the bootstrap admin signs in with
// its token. 10-20 s (machine load decides).

const shot = (name: string) => join(ARTIFACTS, `web-ui-${TEST_BACKEND}-${name}.png`);

describe('web UI in Chromium', () => {
  let trove: RunningTrove;
  let data: WebUiData;
  let browser: Browser;
  let page: Page;

  before(async () => {
    trove = await startTrove();
    data = await buildWebUiData(trove);
    browser = await launchChromium();
    page = await newUiPage(browser);
  });

  after(async () => {
    await browser?.close();
    await trove?.stop();
  });

  it('serves the app at / with security headers, and keeps JSON 404s for unknown API paths', async () => {
    const html = await fetch(`${trove.baseUrl}/groups/acme`, { headers: { accept: 'text/html' } });
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-security-policy') ?? '', /script-src 'self'.*frame-ancestors 'none'/);
    assert.equal(html.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(html.headers.get('x-frame-options'), 'DENY');
    assert.equal(html.headers.get('cache-control'), 'no-cache');
    // The UI of the build under test (TROVE_TEST_DIST), found next to its compiled server.
    const index = await html.text();
    assert.equal(index, readFileSync(join(REPO_ROOT, process.env.TROVE_TEST_DIST ?? 'dist', 'web/index.html'), 'utf8'));
    // Vite's hashed asset names never change content: cached for good.
    const asset = /src="\/(assets\/[^"]+\.js)"/.exec(index)?.[1];
    assert.ok(asset, 'index.html loads a hashed script');
    const script = await fetch(`${trove.baseUrl}/${asset}`);
    assert.equal(script.status, 200);
    assert.equal(script.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const api = await fetch(`${trove.baseUrl}/api/v4/no-such-thing`, { headers: { accept: 'text/html' } });
    assert.equal(api.status, 404);
    assert.deepEqual(await api.json(), { message: '404 Not Found' });
  });

  it('refuses a wrong password (audited) and signs in with the right one', async () => {
    await page.goto(trove.baseUrl);
    await page.getByLabel('Username or email').fill('olivia');
    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong username or password.' }).waitFor();
    const failures = await data.world.root.expect(200, 'GET', '/api/v4/audit_events?event_name=authentication_failed');
    assert.ok(failures.some((e: any) => e.actor.username === 'olivia' && e.reason === 'wrong password'), 'wrong password recorded');

    await signInWithPassword(page, 'olivia', OWNER_PASSWORD);
    await page.getByRole('heading', { name: 'Explore' }).waitFor();
    const cookie = (await page.context().cookies()).find((c) => c.name === 'trove_session');
    assert.ok(cookie && cookie.httpOnly && cookie.sameSite === 'Strict', 'HttpOnly, SameSite=Strict session cookie');
  });

  it('opens a package and reads who published each version, with the deploy token name', async () => {
    await page.getByRole('link', { name: 'acme/web-app' }).click();
    await page.getByRole('row', { name: /1\.4\.0/ }).getByRole('link', { name: '@acme/ui-kit' }).click();
    await page.getByRole('heading', { name: '@acme/ui-kit', level: 1 }).waitFor();
    const v140 = page.getByRole('article', { name: '1.4.0' });
    await v140.getByRole('cell', { name: 'ui-kit-1.4.0.tgz' }).waitFor();
    const published = await v140.locator('dl.published-by').innerText();
    assert.match(published, /deploy token "release-bot" of acme\/web-app/);
    assert.match(published, new RegExp(`Package client · npm ${data.npmVersion.replaceAll('.', '\\.')}`));
    // In words, the actor named once: no raw value, no "deploy token deploy token".
    for (const raw of ['package_client', 'deploy_token', /deploy token\s+deploy token/i]) assert.doesNotMatch(published, new RegExp(raw));
    const v150 = await page.getByRole('article', { name: '1.5.0' }).locator('dl.published-by').innerText();
    assert.match(v150, /personal access token "olivia-laptop" of olivia/);
    // The file table shows the stored digest, and the dist-tag points at its version.
    const [pkg] = await data.world.root.expect(200, 'GET', `/api/v4/projects/${data.project.id}/packages?package_version=1.4.0`);
    const [file] = await data.world.root.expect(200, 'GET', `/api/v4/projects/${data.project.id}/packages/${pkg.id}/package_files`);
    assert.equal(await v140.locator('code.hash').innerText(), file.file_sha256);
    assert.match(await v140.locator('header').innerText(), /stable/);
    // The dist-tags panel lists every tag of the name (from its own API, not from the page of versions).
    const tags = page.getByRole('region', { name: 'Dist-tags' });
    await tags.getByText('stable → 1.4.0').waitFor();
    assert.deepEqual(await tags.getByRole('listitem').allInnerTexts(), ['latest → 1.5.0', 'stable → 1.4.0']);
    // The steps are the API's (the format's declaration), shown as they are: the page knows no format.
    const install = page.getByRole('region', { name: 'Install' });
    await install.locator('pre').first().waitFor();
    const served = await data.world.root.expect(200, 'GET', `/api/v4/projects/${data.project.id}/packages/${pkg.id}/instructions`);
    assert.deepEqual(await install.locator('pre').allInnerTexts(), served.install.map((step: { command: string }) => step.command));
    assert.match(served.install.at(-1).command, /^npm install @acme\/ui-kit@1\.4\.0$/);
    await page.screenshot({ path: shot('package'), fullPage: true });

    await page.getByRole('link', { name: 'History' }).click();
    const history = page.locator('table.audit tbody tr');
    await history.first().waitFor();
    const events = await history.locator('td:nth-child(2)').allInnerTexts();
    // Two publishes; "latest" created (1.4.0) and moved (1.5.0); "stable" created by npm dist-tag add.
    assert.deepEqual(events.sort(), ['Dist-tag created', 'Dist-tag created', 'Dist-tag moved', 'Package published', 'Package published']);
  });

  it('shows the pipeline of a version a CI job token published', async () => {
    await page.getByRole('link', { name: 'acme/web-app' }).click();
    await page.getByRole('link', { name: '@acme/build-tools' }).click();
    const published = await page.getByRole('article', { name: '0.1.0' }).locator('dl.published-by').innerText();
    assert.match(published, /CI job token of root \(acme\/web-app\)/);
    assert.match(published, /pipeline · npm/);
    assert.match(published, /pipeline #881, job #4242 \(main @ 3f2a1c9\)/);
    await page.goBack();
    await page.getByRole('row', { name: /1\.4\.0/ }).getByRole('link', { name: '@acme/ui-kit' }).click();
  });

  it('stays usable on a narrow window (no page-wide horizontal scrolling)', async () => {
    await page.setViewportSize({ width: 420, height: 860 });
    await page.getByRole('link', { name: 'Versions' }).click();
    await page.getByRole('article', { name: '1.4.0' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the window`);
    await page.screenshot({ path: shot('package-narrow'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('filters the group audit log by event name, keeps the filter in the URL, and exports it as CSV', async () => {
    await page.getByRole('link', { name: 'Explore' }).click();
    await page.getByRole('link', { name: 'acme', exact: true }).click();
    await page.getByRole('link', { name: 'Audit events' }).click();
    await page.locator('table.audit tbody tr').first().waitFor();
    await page.getByLabel('Event names').selectOption(['package_registry_package_published']);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/event_name=package_registry_package_published/);
    const rows = page.locator('table.audit tbody tr');
    await rows.nth(2).waitFor();
    assert.deepEqual(await rows.locator('td:nth-child(2)').allInnerTexts(), ['Package published', 'Package published', 'Package published']);
    // Shown in the browser's time zone (Berlin here), UTC on hover.
    const time = rows.first().locator('time');
    const iso = (await time.getAttribute('datetime'))!;
    assert.equal(await time.getAttribute('title'), `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`);
    assert.match(await time.innerText(), new RegExp(new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Berlin', timeStyle: 'medium' }).format(new Date(iso))));
    assert.deepEqual(await rows.locator('td.actor .actor-name').allInnerTexts(), ['root', 'olivia', '“release-bot”']);
    assert.deepEqual(await rows.locator('td.actor .actor-kind').allInnerTexts(), ['CI job token of acme/web-app', 'Personal access token “olivia-laptop”', 'Deploy token of acme/web-app']);
    await rows.first().getByRole('button', { name: 'Package published' }).click();
    const drawer = page.getByRole('dialog');
    assert.match(await drawer.locator('pre.json').innerText(), /"sha256": "[0-9a-f]{64}"/);
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    await page.screenshot({ path: shot('audit-log'), fullPage: true });

    // A shared link shows the same filtered view.
    const shared = await page.context().newPage();
    await shared.goto(page.url());
    await shared.locator('table.audit tbody tr').nth(2).waitFor();
    assert.equal(await shared.locator('table.audit tbody tr').count(), 3);
    await shared.close();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    const file = join(ARTIFACTS, `web-ui-${TEST_BACKEND}-audit.csv`);
    await download.saveAs(file);
    const csv = parseCsv(readFileSync(file), { columns: true }) as Record<string, string>[];
    assert.deepEqual(csv.map((r) => [r['Package Name'], r.Version, r['Actor Type'], r['Token Name'], r.Via, r.Pipeline]), [
      // A cell that begins with @ gets a leading ' (a spreadsheet would read it as a formula, docs/architecture.md#bad-input-and-limits).
      ["'@acme/ui-kit", '1.4.0', 'deploy_token', 'release-bot', 'package_client', ''],
      ["'@acme/ui-kit", '1.5.0', 'personal_access_token', 'olivia-laptop', 'package_client', ''],
      ["'@acme/build-tools", '0.1.0', 'job_token', 'CI job 4242', 'pipeline', '881'],
    ]);
    const exported = await allEvents(data.world.root, `/api/v4/groups/${data.group.id}/audit_events`, '&event_name=audit_events_exported');
    assert.equal(exported[0].actor.username, 'olivia');
    assert.equal(exported[0].via, 'web');
  });

  it('changes the group audit setting and shows its own audit event', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    const audit = page.getByRole('group', { name: 'Package audit events' });
    await audit.getByText('Inherited value: enabled (from the instance default).').waitFor();
    await audit.getByLabel('Setting').selectOption('enabled');
    await page.getByRole('button', { name: 'Save audit settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await audit.getByText('In effect: enabled (set here).').waitFor();
    await page.getByRole('link', { name: 'Open the audit log' }).click();
    const first = page.locator('table.audit tbody tr').first();
    await first.filter({ hasText: 'Audit settings updated' }).waitFor();
    assert.match(await first.innerText(), /olivia[\s\S]*Web UI · HeadlessChrome/);
  });

  it('creates a deploy token (secret shown once, it works) and revokes it', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    const tokens = page.getByRole('region', { name: 'Deploy tokens' });
    await tokens.getByLabel('Token name').fill('ci-reader');
    await tokens.getByLabel('write_package_registry').uncheck();
    await tokens.getByRole('button', { name: 'Create token' }).click();
    const secret = await tokens.getByLabel('Token', { exact: true }).inputValue();
    assert.match(secret, /^gldt-/);
    const metadata = await fetch(`${trove.baseUrl}/api/v4/projects/${data.project.id}/packages/npm/@acme%2fui-kit`, { headers: { 'Deploy-Token': secret } });
    assert.equal(metadata.status, 200);
    await tokens.getByRole('button', { name: 'Done' }).click();
    page.once('dialog', (dialog) => void dialog.accept());
    await tokens.getByRole('button', { name: 'Revoke ci-reader' }).click();
    await tokens.getByRole('row', { name: /ci-reader.*revoked/ }).waitFor();
    const events = await allEvents(data.world.root, `/api/v4/groups/${data.group.id}/audit_events`, '&event_name=deploy_token_created&event_name=deploy_token_revoked');
    // Newest first; the oldest is root's release-bot from the setup.
    assert.deepEqual(events.slice(0, 2).map((e) => [e.event_name, e.actor.username, e.via]), [
      ['deploy_token_revoked', 'olivia', 'web'],
      ['deploy_token_created', 'olivia', 'web'],
    ]);
  });

  it('lets a newcomer create a project and publish into it with the .npmrc lines the page shows', async () => {
    await page.getByRole('link', { name: 'Explore' }).click();
    await page.getByText('Create a group or a project').click();
    const form = page.getByRole('form', { name: 'New project' });
    await form.getByLabel('In').selectOption('acme');
    await form.getByLabel('Project path').fill('docs-site');
    await form.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('heading', { name: 'acme/docs-site' }).waitFor();
    const npmrc = await page.getByRole('region', { name: 'Publish the first package' }).locator('pre').first().innerText();
    const dir = makePackage('@acme/docs-theme', '0.0.1');
    writeFileSync(join(dir, '.npmrc'), `${npmrc.replace('<TOKEN>', data.ownerToken)}\n`);
    // The user-level config points nowhere: only the copied project .npmrc can make this work.
    const published = await new NpmClient('http://127.0.0.1:9/', null).npm(['publish'], dir);
    assert.equal(published.code, 0, published.stderr);
    await page.reload();
    await page.getByRole('link', { name: '@acme/docs-theme' }).waitFor();
  });

    it('refuses a cookie-authenticated write without the CSRF token, and package-client paths ignore the cookie', async () => {
    const status = await page.evaluate(async () => {
      const res = await fetch('/api/v4/groups/acme/packages/settings', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"package_audit_events":"disabled"}' });
      return res.status;
    });
    assert.equal(status, 403);
    const settings = await data.world.root.expect(200, 'GET', `/api/v4/groups/${data.group.id}/packages/settings`);
    assert.equal(settings.package_audit_events, 'enabled');
    // X-Trove-Web only drops WWW-Authenticate from the 401, which would make Chromium wait for a password.
    const npmStatus = await page.evaluate(async (id) => (await fetch(`/api/v4/projects/${id}/packages/npm/@acme%2fui-kit`, { headers: { 'x-trove-web': '1' } })).status, data.project.id);
    assert.equal(npmStatus, 401, 'the npm endpoint treats a cookie-only request as anonymous');
  });

  it('shows a Maven package’s coordinates and its <dependency> snippet', async () => {
    const jar = await fetch(`${trove.baseUrl}/api/v4/projects/${data.project.id}/packages/maven/com/acme/billing/3.1.0/billing-3.1.0.jar`, {
      method: 'PUT',
      body: new Uint8Array(Buffer.from('jar bytes')),
      headers: { 'PRIVATE-TOKEN': data.ownerToken },
    });
    assert.equal(jar.status, 201, await jar.text());
    await page.goto(trove.baseUrl);
    await page.getByRole('link', { name: 'acme/web-app' }).click();
    await page.getByRole('link', { name: 'com/acme/billing' }).click();
    const install = page.getByRole('region', { name: 'Install' });
    await install.getByText('com.acme:billing:3.1.0', { exact: true }).waitFor();
    const steps = await install.locator('pre').allInnerTexts();
    assert.ok(steps.includes('<dependency>\n  <groupId>com.acme</groupId>\n  <artifactId>billing</artifactId>\n  <version>3.1.0</version>\n</dependency>'), steps.join('\n---\n'));
  });

  it('signs out: the session is deleted on the server', async () => {
    const cookie = (await page.context().cookies()).find((c) => c.name === 'trove_session')!;
    await signOut(page);
    const replay = await fetch(`${trove.baseUrl}/api/v4/user`, { headers: { cookie: `trove_session=${cookie.value}` } });
    assert.equal(replay.status, 401, 'the old cookie no longer authenticates');
  });

  it('lets the bootstrap admin sign in with its token and export the instance log as JSON Lines', async () => {
    await signInWithToken(page, trove.rootToken);
    await page.getByText('with token “bootstrap”').waitFor();
    await page.getByRole('link', { name: 'Instance audit log' }).click();
    await page.locator('table.audit tbody tr').first().waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export JSON Lines' }).click()]);
    const file = join(ARTIFACTS, `web-ui-${TEST_BACKEND}-instance.jsonl`);
    await download.saveAs(file);
    const records = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    assert.ok(records.some((r) => r.event_name === 'package_registry_audit_settings_updated' && r.via === 'web'));
    const [exported] = await allEvents(data.world.root, '/api/v4/audit_events', '&event_name=audit_events_exported');
    assert.equal(exported.actor.type, 'personal_access_token');
    assert.equal(exported.actor.token_name, 'bootstrap');
    assert.equal(exported.via, 'web');
  });
});
