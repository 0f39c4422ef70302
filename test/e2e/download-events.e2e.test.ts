import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Api, privateToken } from '../support/api.js';
import { allEvents, publishOk, sleep } from '../support/audit-e2e.js';
import { eventCount } from '../support/audit.js';
import { curl } from '../support/generic-curl.js';
import { makeConsumer, NpmClient } from '../support/npm-client.js';
import { buildProject, indexUrl, sha256File, twineUpload, Venv } from '../support/python-client.js';
import { startTrove, tempDir, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// Download events (docs/architecture.md#what-is-recorded package_registry_package_downloaded, opt-in per namespace, docs/architecture.md#the-one-write-path):
// the real npm, pip and curl (generic and Maven files) download from a group that has them on, and each file they fetch
// is one event naming the reader, the client and the file; metadata records nothing; namespaces
// that leave them off record nothing; the packages API counts them; a SIGTERM in the middle of
// a burst of downloads loses none.

const DOWNLOADED = 'package_registry_package_downloaded';
const FILTER = `&event_name=${DOWNLOADED}`;
/** Longer than the 250 ms batching: after this, whatever was going to be written is. */
const SETTLE_MS = 700;

const enable = (api: Api, groupId: number, settings: Record<string, string>) => api.expect(200, 'PUT', `/api/v4/groups/${groupId}/packages/settings`, settings);

/** Waits until the listing holds `count` download events (fails after `timeoutMs`: generous, as CI runs two suites on 2 cores; the 250 ms latency has its own test), then returns them, newest first. */
async function downloadEventsOf(api: Api, listPath: string, count: number, timeoutMs = 15_000): Promise<any[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = await allEvents(api, listPath, FILTER);
    if (events.length >= count || Date.now() > deadline) {
      assert.equal(events.length, count, `download events in ${listPath}: ${JSON.stringify(events.map((e) => e.package?.files))}`);
      return events;
    }
    await sleep(50);
  }
}

describe('download events', () => {
  let trove: RunningTrove;
  let world: World;
  let acme: { id: number; full_path: string };
  let webApp: { id: number; path_with_namespace: string };
  let reader: TestUser;
  let readerToken: string;
  const acmeEvents = () => `/api/v4/groups/${acme.id}/audit_events`;
  const npmRegistry = (projectId: number) => `${trove.baseUrl}/api/v4/projects/${projectId}/packages/npm/`;

  before(async () => {
    trove = await startTrove();
    world = new World(trove);
    acme = await world.group('acme');
    webApp = await world.project('web-app', acme.id);
    reader = await world.user('rita');
    await world.addMember('groups', acme.id, reader, 20);
    readerToken = (await world.token(reader, 'rita-reader', ['read_package_registry'])).token;
    const settings = await enable(world.root, acme.id, { package_download_events: 'enabled' });
    assert.equal(settings.package_download_events_effective, 'enabled');
    await publishOk(world.root, webApp.id, '@acme/left-pad', '1.0.0');
    await publishOk(world.root, webApp.id, '@acme/right-pad', '2.1.0');
  });

  after(async () => {
    await trove?.stop();
  });

  async function packageNamed(projectId: number, name: string): Promise<any> {
    const list = await world.root.expect(200, 'GET', `/api/v4/projects/${projectId}/packages?package_name=${encodeURIComponent(name)}&per_page=100`);
    const found = list.find((p: any) => p.name === name);
    assert.ok(found, `package ${name}`);
    return found;
  }

  async function onlyFileOf(projectId: number, packageId: number): Promise<any> {
    const files = await world.root.expect(200, 'GET', `/api/v4/projects/${projectId}/packages/${packageId}/package_files`);
    assert.equal(files.length, 1);
    return files[0];
  }

  it('npm install of two packages records exactly one event per tarball, with npm, the reader token and the sha256', async () => {
    const client = new NpmClient(npmRegistry(webApp.id), readerToken);
    const consumer = makeConsumer();
    const install = await client.npm(['install', '@acme/left-pad', '@acme/right-pad'], consumer);
    assert.equal(install.code, 0, install.stderr);

    const events = await downloadEventsOf(world.root, acmeEvents(), 2);
    for (const [name, version] of [
      ['@acme/left-pad', '1.0.0'],
      ['@acme/right-pad', '2.1.0'],
    ]) {
      const pkg = await packageNamed(webApp.id, name);
      const file = await onlyFileOf(webApp.id, pkg.id);
      const mine = events.filter((e) => e.package.name === name);
      assert.equal(mine.length, 1, `one event for ${name}`);
      const event = mine[0];
      assert.equal(event.event_name, DOWNLOADED);
      assert.equal(event.outcome, 'success');
      assert.deepEqual([event.entity_type, event.entity_id], ['Group', acme.id]);
      assert.deepEqual(event.project, { id: webApp.id, full_path: 'acme/web-app' });
      assert.deepEqual(
        { id: event.package.id, format: event.package.format, version: event.package.version },
        { id: pkg.id, format: 'npm', version },
      );
      assert.deepEqual(event.package.files, [{ file_name: file.file_name, size: file.size, sha256: file.file_sha256 }]);
      assert.equal(event.actor.type, 'personal_access_token');
      assert.equal(event.actor.token_name, 'rita-reader');
      assert.equal(event.actor.username, 'rita');
      assert.equal(event.author_id, reader.id);
      assert.equal(event.via, 'package_client');
      assert.equal(event.client.name, 'npm');
      assert.match(event.client.version, /^\d+\.\d+\.\d+/);
      assert.equal(event.ip_address, '127.0.0.1');
      assert.ok(event.request_id, 'the request id');
    }
  });

  it('pip install of two projects records one event per wheel, with pip', async () => {
    const alpha = await buildProject({ name: 'probe-alpha', version: '0.1.0', module: 'probe_alpha' });
    const beta = await buildProject({ name: 'probe-beta', version: '0.2.0', module: 'probe_beta' });
    const uploaded = await twineUpload(`${trove.baseUrl}/api/v4/projects/${webApp.id}/packages/pypi`, '__token__', trove.rootToken, [alpha.wheel, alpha.sdist, beta.wheel]);
    assert.equal(uploaded.code, 0, uploaded.stdout + uploaded.stderr);
    const before = await eventCount(world.root, acmeEvents(), FILTER);

    const venv = await Venv.create();
    const install = await venv.pip(['install', '--index-url', indexUrl(trove.baseUrl, `/api/v4/projects/${webApp.id}/packages/pypi/simple/`, readerToken), 'probe-alpha', 'probe-beta']);
    assert.equal(install.code, 0, install.stdout + install.stderr);

    const events = (await downloadEventsOf(world.root, acmeEvents(), before + 2)).filter((e) => e.package.format === 'pypi');
    assert.deepEqual(events.map((e) => e.package.files[0].file_name).sort(), [basename(alpha.wheel), basename(beta.wheel)].sort(), 'the wheels, not the sdist');
    for (const event of events) {
      const local = event.package.files[0].file_name === basename(alpha.wheel) ? alpha.wheel : beta.wheel;
      assert.equal(event.package.files[0].sha256, sha256File(local));
      assert.equal(event.client.name, 'pip');
      assert.equal(event.via, 'package_client');
      assert.equal(event.actor.token_name, 'rita-reader');
      assert.deepEqual(event.project, { id: webApp.id, full_path: 'acme/web-app' });
    }
  });

  // curl closes its connection as soon as it has the body; on a loaded machine that used to beat
  // the server's 'finish' and the event was lost (now decided on 'close', package-file-download.ts).
  it('curl downloads a generic file: one event with curl; a HEAD request records none', async () => {
    const dir = tempDir('trove-dl-generic-');
    const file = join(dir, 'tool.bin');
    writeFileSync(file, Buffer.alloc(4096, 7));
    const url = `${trove.baseUrl}/api/v4/projects/${webApp.id}/packages/generic/tool/1.0.0/tool.bin`;
    const up = await curl(['--fail-with-body', '-H', `PRIVATE-TOKEN: ${trove.rootToken}`, '--upload-file', file, url]);
    assert.equal(up.status, 201, up.body);
    const before = await eventCount(world.root, acmeEvents(), FILTER);

    const head = await curl(['-I', '-H', `PRIVATE-TOKEN: ${readerToken}`, url]);
    assert.equal(head.status, 200);
    const down = await curl(['--fail', '-H', `PRIVATE-TOKEN: ${readerToken}`, '-o', join(dir, 'out.bin'), url]);
    assert.equal(down.status, 200);
    await sleep(SETTLE_MS);
    const events = await downloadEventsOf(world.root, acmeEvents(), before + 1);
    const event = events[0];
    assert.equal(event.package.format, 'generic');
    assert.deepEqual(event.package.files, [{ file_name: 'tool.bin', size: 4096, sha256: sha256File(file) }]);
    assert.equal(event.client.name, 'curl');
    assert.equal(event.actor.token_name, 'rita-reader');
  });

  it('a Maven jar read through the group endpoint is one event; its checksum, the metadata and HEAD record none', async () => {
    const dir = tempDir('trove-dl-maven-');
    const file = join(dir, 'billing-2.0.jar');
    writeFileSync(file, Buffer.alloc(2048, 9));
    const path = 'com/acme/billing/2.0/billing-2.0.jar';
    const up = await curl(['--fail-with-body', '-H', `PRIVATE-TOKEN: ${trove.rootToken}`, '--upload-file', file, `${trove.baseUrl}/api/v4/projects/${webApp.id}/packages/maven/${path}`]);
    assert.equal(up.status, 201, up.body);
    const before = await eventCount(world.root, acmeEvents(), FILTER);

    const group = `${trove.baseUrl}/api/v4/groups/${acme.id}/-/packages/maven`;
    const auth = ['-H', `PRIVATE-TOKEN: ${readerToken}`];
    assert.equal((await curl(['-I', ...auth, `${group}/${path}`])).status, 200);
    assert.equal((await curl(['--fail', ...auth, `${group}/${path}.sha1`])).status, 200);
    assert.equal((await curl(['--fail', ...auth, `${group}/com/acme/billing/maven-metadata.xml`])).status, 200);
    assert.equal((await curl(['--fail', ...auth, '-o', join(dir, 'out.jar'), `${group}/${path}`])).status, 200);
    await sleep(SETTLE_MS);
    const [event] = await downloadEventsOf(world.root, acmeEvents(), before + 1);
    assert.equal(event.package.format, 'maven');
    assert.deepEqual(event.package.files, [{ file_name: 'billing-2.0.jar', size: 2048, sha256: sha256File(file) }]);
    assert.equal(event.actor.token_name, 'rita-reader');
  });

  it('a download the client aborts half-way records nothing', async () => {
    const dir = tempDir('trove-dl-abort-');
    const file = join(dir, 'big.bin');
    writeFileSync(file, Buffer.alloc(32 * 1024 * 1024, 1)); // far more than the socket buffers hold
    const url = `${trove.baseUrl}/api/v4/projects/${webApp.id}/packages/generic/big/1.0.0/big.bin`;
    const up = await curl(['--fail-with-body', '-H', `PRIVATE-TOKEN: ${trove.rootToken}`, '--upload-file', file, url]);
    assert.equal(up.status, 201, up.body);
    const before = await eventCount(world.root, acmeEvents(), FILTER);

    await new Promise<void>((resolve, reject) => {
      const req = httpGet(url, { headers: privateToken(readerToken), agent: false }, (res) => {
        assert.equal(res.statusCode, 200);
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (error) => (req.destroyed ? resolve() : reject(error)));
    });
    await sleep(SETTLE_MS);
    assert.equal(await eventCount(world.root, acmeEvents(), FILTER), before, 'the aborted transfer is not a download');
    // The same file read to the end is one.
    const whole = await fetch(url, { headers: privateToken(readerToken) });
    assert.equal((await whole.arrayBuffer()).byteLength, 32 * 1024 * 1024);
    await downloadEventsOf(world.root, acmeEvents(), before + 1);
  });

  it('metadata requests, refused and missing downloads record nothing', async () => {
    const before = await eventCount(world.root, acmeEvents(), FILTER);
    const as = new Api(trove.baseUrl, privateToken(readerToken));
    const npm = `/api/v4/projects/${webApp.id}/packages/npm`;
    const pypi = `/api/v4/projects/${webApp.id}/packages/pypi`;
    const ok = [
      await as.get(`${npm}/@acme%2fleft-pad`),
      await as.get(`${npm}/@acme%2fleft-pad`, { accept: 'application/vnd.npm.install-v1+json' }),
      await as.get(`${npm}/-/package/@acme%2fleft-pad/dist-tags`),
      await as.get(`${pypi}/simple/`),
      await as.get(`${pypi}/simple/probe-alpha/`),
      await as.get(`${pypi}/simple/probe-alpha/`, { accept: 'application/vnd.pypi.simple.v1+json' }),
    ];
    for (const res of ok) assert.equal(res.status, 200, res.text);
    const tarball = `${npm}/@acme/left-pad/-/left-pad-1.0.0.tgz`;
    assert.equal((await as.get(`${npm}/@acme/left-pad/-/left-pad-9.9.9.tgz`)).status, 404);
    assert.equal((await new Api(trove.baseUrl).get(tarball)).status, 401, 'anonymous on a private project');
    const stranger = await world.user('stan');
    assert.equal((await stranger.api.get(tarball)).status, 404, 'no access');
    await sleep(SETTLE_MS);
    assert.equal(await eventCount(world.root, acmeEvents(), FILTER), before);
    // ... while the same tarball with the reader's token is one event (so the count above could move).
    assert.equal((await as.get(tarball)).status, 200);
    await downloadEventsOf(world.root, acmeEvents(), before + 1);
  });

  it("a public project's anonymous download records an anonymous actor", async () => {
    const open = await world.group('open', undefined, 'public');
    const site = await world.project('site', open.id, 'public');
    await enable(world.root, open.id, { package_download_events: 'enabled' });
    await publishOk(world.root, site.id, 'open-widget', '3.0.0');
    const res = await fetch(`${trove.baseUrl}/api/v4/projects/${site.id}/packages/npm/open-widget/-/open-widget-3.0.0.tgz`, { headers: { 'user-agent': 'curl/8.5.0' } });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    const [event] = await downloadEventsOf(world.root, `/api/v4/groups/${open.id}/audit_events`, 1);
    assert.deepEqual(event.actor, { type: 'anonymous', user_id: null, username: null, token_id: null, token_name: null, token_owner_path: null });
    assert.equal(event.author_id, -1);
    assert.equal(event.details.author_class, 'Gitlab::Audit::UnauthenticatedAuthor');
    assert.equal(event.package.name, 'open-widget');
  });

  it('namespaces with download events disabled, inheriting disabled, or with package events off record nothing', async () => {
    const quiet = await world.group('quiet'); // default: inherit -> instance default disabled
    const off = await world.group('off');
    await enable(world.root, off.id, { package_download_events: 'disabled' });
    const child = await world.group('child', off.id); // inherit from "off"
    const muted = await world.group('muted');
    await enable(world.root, muted.id, { package_download_events: 'enabled', package_audit_events: 'disabled' });
    const childSettings = await world.root.expect(200, 'GET', `/api/v4/groups/${child.id}/packages/settings`);
    assert.deepEqual([childSettings.package_download_events, childSettings.package_download_events_effective, childSettings.package_download_events_source], ['inherit', 'disabled', 'off']);

    const groups = [quiet, off, child, muted];
    for (const group of groups) {
      const project = await world.project('app', group.id);
      await world.addMember('groups', group.id, reader, 20);
      await publishOk(world.root, project.id, 'silent', '1.0.0');
      const res = await fetch(`${npmRegistry(project.id)}silent/-/silent-1.0.0.tgz`, { headers: privateToken(readerToken) });
      assert.equal(res.status, 200, group.full_path);
      await res.arrayBuffer();
    }
    await sleep(SETTLE_MS);
    for (const group of groups) {
      assert.equal(await eventCount(world.root, `/api/v4/groups/${group.id}/audit_events`, FILTER), 0, `${group.full_path} records no download`);
    }
    // The published event in "quiet" is there: its package events are on, only downloads are off.
    assert.ok((await eventCount(world.root, `/api/v4/groups/${quiet.id}/audit_events`, '')) > 0);
  });

  it('event_name=package_registry_package_downloaded lists only download events', async () => {
    const all = await eventCount(world.root, acmeEvents(), '');
    const downloads = await allEvents(world.root, acmeEvents(), FILTER);
    assert.ok(downloads.length > 0 && downloads.length < all, `${downloads.length} of ${all}`);
    assert.deepEqual([...new Set(downloads.map((e) => e.event_name))], [DOWNLOADED]);
    const published = await allEvents(world.root, acmeEvents(), '&event_name=package_registry_package_published');
    assert.ok(published.length > 0 && published.every((e) => e.event_name !== DOWNLOADED));
    // The project view filters the same way.
    const inProject = await eventCount(world.root, `/api/v4/projects/${webApp.id}/audit_events`, FILTER);
    assert.equal(inProject, downloads.length);
  });

  it('the packages API counts downloads per package, for the period asked', async () => {
    const pkg = await packageNamed(webApp.id, '@acme/right-pad');
    const tarball = `${npmRegistry(webApp.id)}@acme/right-pad/-/right-pad-2.1.0.tgz`;
    const get = async () => {
      const res = await fetch(tarball, { headers: privateToken(readerToken) });
      assert.equal(res.status, 200);
      await res.arrayBuffer();
    };
    const countOf = async (query = '') => (await world.root.expect(200, 'GET', `/api/v4/projects/${webApp.id}/packages/${pkg.id}${query}`)).downloads;
    const initial = await countOf();
    assert.equal(initial, 1, 'npm install downloaded it once');
    const before = await eventCount(world.root, acmeEvents(), FILTER);
    await get();
    await get();
    const firstTwo = await downloadEventsOf(world.root, acmeEvents(), before + 2);
    const boundary = new Date(Date.now() + 5).toISOString();
    await sleep(20);
    for (let i = 0; i < 3; i++) await get();
    const events = await downloadEventsOf(world.root, acmeEvents(), before + 5);
    assert.ok(firstTwo.slice(0, 2).every((e) => e.created_at < boundary));

    assert.equal(await countOf(), 6, 'all time');
    assert.equal(await countOf(`?downloads_since=${encodeURIComponent(boundary)}`), 3);
    assert.equal(await countOf(`?downloads_until=${encodeURIComponent(boundary)}`), 3);
    assert.equal(await countOf(`?downloads_since=2000-01-01&downloads_until=2000-12-31`), 0);
    const single = await world.root.expect(200, 'GET', `/api/v4/projects/${webApp.id}/packages/${pkg.id}`);
    assert.equal(single.last_downloaded_at, events[0].created_at, 'the newest download event');

    // The project and group lists carry it too; a package nobody downloaded shows 0.
    const projectList = await world.root.expect(200, 'GET', `/api/v4/projects/${webApp.id}/packages?per_page=100&downloads_since=${encodeURIComponent(boundary)}`);
    assert.equal(projectList.find((p: any) => p.id === pkg.id).downloads, 3);
    const groupList = await world.root.expect(200, 'GET', `/api/v4/groups/${acme.id}/packages?per_page=100`);
    assert.equal(groupList.find((p: any) => p.id === pkg.id).downloads, 6);
    const alpha = groupList.find((p: any) => p.name === 'probe-alpha');
    assert.equal(alpha.downloads, 1, 'probe-alpha: its wheel, once');
    await publishOk(world.root, webApp.id, '@acme/never', '1.0.0');
    const never = await packageNamed(webApp.id, '@acme/never');
    assert.deepEqual([never.downloads, never.last_downloaded_at], [0, null]);

    const bad = await world.root.get(`/api/v4/projects/${webApp.id}/packages?downloads_since=yesterday-ish`);
    assert.equal(bad.status, 400, bad.text);
  });

  it("a download's event is written within about a second (250 ms batching)", async () => {
    const before = await eventCount(world.root, acmeEvents(), FILTER);
    const started = Date.now();
    const res = await fetch(`${npmRegistry(webApp.id)}@acme/left-pad/-/left-pad-1.0.0.tgz`, { headers: privateToken(readerToken) });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    await downloadEventsOf(world.root, acmeEvents(), before + 1, 1000);
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 1000, `${elapsed} ms`);
  });
});
