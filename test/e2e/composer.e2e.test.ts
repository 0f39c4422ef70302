// One backend: composer's own protocol; what Composer writes do on each database is checked by the conformance suite, which runs on both.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { eventCount, latestEvent } from '../support/audit.js';
import { ComposerProject, libraryEntries, libraryZip, publishZip, zipOf } from '../support/composer-client.js';
import { curlVersion } from '../support/generic-curl.js';
import { storeSnapshot } from '../support/stored-blobs.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// Composer: zips published with curl (Trove has no git to publish a tag from), installed by the
// real composer from the group's repository, and the library's code run through Composer's
// autoloader. Every refusal is audited and leaves the store as it was.

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const LIMIT = 64 * 1024;
const DENIED = '&event_name=package_registry_package_publish_denied';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Composer', () => {
  let trove: RunningTrove;
  let world: World;
  let group: { id: number };
  let project: { id: number };
  let publisher: TestUser;
  let reader: TestUser;
  const uploadUrl = () => `${trove.baseUrl}/api/v4/projects/${project.id}/packages/composer`;
  const repositoryUrl = () => `${trove.baseUrl}/api/v4/group/${group.id}/-/packages/composer/packages.json`;
  const events = () => `/api/v4/groups/${group.id}/audit_events`;
  const zips: Record<string, Buffer> = {};

  before(async () => {
    // A small upload limit, so that the refusal past it needs no large zip.
    trove = await startTrove({ env: { TROVE_COMPOSER_MAX_UPLOAD_BYTES: String(LIMIT) } });
    world = new World(trove);
    group = await world.group('php');
    project = await world.project('greeter', group.id);
    publisher = await world.user('paula', ['api'], 'paula-laptop');
    reader = await world.user('rudi', ['read_api'], 'rudi-ci');
    await world.addMember('groups', group.id, publisher, 30);
    await world.addMember('groups', group.id, reader, 20);
    await world.root.expect(200, 'PUT', `/api/v4/groups/${group.id}/packages/settings`, { package_download_events: 'enabled' });
  });

  after(async () => {
    await trove?.stop();
  });

  it('publishes two versions with curl: the version from the form or from composer.json, audited with actor, token and client', async () => {
    // 1.0.0 as a forge archive (one top folder), its version given in the form.
    zips['1.0.0'] = await libraryZip({ name: 'acme/greeter', greeting: 'Hello', folder: 'greeter-v1.0.0/' });
    const first = await publishZip(uploadUrl(), publisher.token, zips['1.0.0'], '1.0.0');
    assert.deepEqual([first.status, first.json], [201, { message: '201 Created' }], first.body);
    // 1.1.0 with composer.json at the top, naming its own version, sent as the raw body.
    zips['1.1.0'] = await libraryZip({ name: 'acme/greeter', version: '1.1.0', greeting: 'Howdy' });
    const second = await publishZip(uploadUrl(), publisher.token, zips['1.1.0'], undefined, true);
    assert.deepEqual([second.status, second.json], [201, { message: '201 Created' }], second.body);

    const event = await latestEvent(world.root, events(), 'package_registry_package_published');
    assert.deepEqual([event.package.format, event.package.name, event.package.version], ['composer', 'acme/greeter', '1.1.0']);
    assert.deepEqual(event.package.files, [{ file_name: 'acme-greeter-1.1.0.zip', size: zips['1.1.0'].length, sha256: sha256(zips['1.1.0']) }]);
    assert.deepEqual([event.actor.user_id, event.actor.token_name, event.via], [publisher.id, 'paula-laptop', 'api']);
    assert.deepEqual(event.client, { name: 'curl', version: await curlVersion() });

    const p2 = await reader.api.expect(200, 'GET', `/api/v4/group/${group.id}/-/packages/composer/p2/acme/greeter.json`);
    const entries = p2.packages['acme/greeter'];
    assert.deepEqual(entries.map((e: any) => [e.version, e.version_normalized, e.dist.shasum, e.autoload]), [
      ['1.0.0', '1.0.0.0', createHash('sha1').update(zips['1.0.0']).digest('hex'), { 'psr-4': { 'Acme\\Greeter\\': 'src/' } }],
      ['1.1.0', '1.1.0.0', createHash('sha1').update(zips['1.1.0']).digest('hex'), { 'psr-4': { 'Acme\\Greeter\\': 'src/' } }],
    ]);
    // The group's repository (GitLab's) and the project's list the package; Composer asks metadata-url for it.
    for (const root of [`/api/v4/group/${group.id}/-/packages/composer`, `/api/v4/projects/${project.id}/packages/composer`]) {
      const packagesJson = await reader.api.expect(200, 'GET', `${root}/packages.json`);
      assert.deepEqual([packagesJson['available-packages'], packagesJson['metadata-url']], [['acme/greeter'], `${trove.baseUrl}${root}/p2/%package%.json`]);
    }
    // An anonymous caller is asked for credentials, as composer expects before it sends auth.json's.
    const anonymous = await fetch(`${trove.baseUrl}/api/v4/group/${group.id}/-/packages/composer/p2/acme/greeter.json`);
    assert.deepEqual([anonymous.status, anonymous.headers.get('www-authenticate')], [401, 'Basic realm="Trove"']);
    // No dev versions are ever published: the ~dev document Composer may ask for is not there.
    assert.equal((await reader.api.get(`/api/v4/group/${group.id}/-/packages/composer/p2/acme/greeter~dev.json`)).status, 404);
  });

  it('composer require installs the newest matching version from the group and its code runs; the download is audited', async () => {
    const app = new ComposerProject(repositoryUrl(), reader.token);
    const required = await app.composer(['require', 'acme/greeter:^1.0']);
    assert.equal(required.code, 0, required.stdout + required.stderr);
    assert.match(required.stderr, /Locking acme\/greeter \(1\.1\.0\)/);
    const ran = await app.php('echo \\Acme\\Greeter\\Greeter::greet("Trove");');
    assert.equal(ran.code, 0, ran.stdout + ran.stderr);
    assert.equal(ran.stdout, 'Howdy, Trove');
    assert.ok(app.cachedZip('acme/greeter').equals(zips['1.1.0']), 'composer downloaded the published bytes');

    // Download events are written in batches (every 250 ms).
    let download;
    for (let i = 0; i < 100 && !download; i++) {
      const res = await world.root.get(`${events()}?event_name=package_registry_package_downloaded&per_page=1`);
      download = res.body[0];
      if (!download) await sleep(100);
    }
    assert.ok(download, 'a download event');
    assert.deepEqual([download.package.version, download.package.files[0].file_name], ['1.1.0', 'acme-greeter-1.1.0.zip']);
    assert.deepEqual([download.actor.user_id, download.actor.token_name, download.via, download.client.name], [reader.id, 'rudi-ci', 'package_client', 'Composer']);

    // An older version still installs by its constraint, from the forge-style zip.
    const pinned = new ComposerProject(repositoryUrl(), reader.token);
    const old = await pinned.composer(['require', 'acme/greeter:1.0.0']);
    assert.equal(old.code, 0, old.stdout + old.stderr);
    assert.equal((await pinned.php('echo \\Acme\\Greeter\\Greeter::greet("Trove");')).stdout, 'Hello, Trove');
  });

  it('refuses unsafe, nameless and duplicate packages with GitLab’s JSON error, audited, nothing stored', async () => {
    const store = () => storeSnapshot(world.root, project.id);
    const before = await store();
    const traversal = await zipOf({ ...libraryEntries({ name: 'acme/evil', version: '1.0.0' }), 'aa/evil.php': '<?php' });
    const cases: Array<[string, Buffer, string | undefined, number, RegExp, boolean?]> = [
      ['traversal entry', Buffer.from(traversal.toString('latin1').replaceAll('aa/evil.php', '../evil.php'), 'latin1'), undefined, 400, /unsafe path/],
      ['bad name', await libraryZip({ name: 'Acme/Greeter', version: '2.0.0' }), undefined, 400, /does not match the pattern vendor\/name/],
      ['no composer.json', await libraryZip({ name: 'acme/greeter', omitComposerJson: true }), '2.0.0', 400, /no composer\.json/],
      ['duplicate version', await libraryZip({ name: 'acme/greeter', greeting: 'Again' }), '1.1.0', 403, /Duplicate package is not allowed/],
      ['same normalized version', await libraryZip({ name: 'acme/greeter', greeting: 'Again' }), '1.1', 403, /Duplicate package is not allowed/],
      ['invalid version', await libraryZip({ name: 'acme/greeter' }), 'latest', 400, /not a valid Composer version/],
      ['over the size limit', await libraryZip({ name: 'acme/greeter', extra: { 'noise.bin': randomBytes(LIMIT).toString('base64') } }), '3.0.0', 413, /too large/i],
      ['over the size limit, raw', await libraryZip({ name: 'acme/greeter', extra: { 'noise.bin': randomBytes(LIMIT).toString('base64') } }), '3.0.0', 413, /too large/i, true],
    ];
    for (const [what, zip, version, status, message, raw] of cases) {
      const count = await eventCount(world.root, events(), DENIED);
      const res = await publishZip(uploadUrl(), publisher.token, zip, version, raw);
      assert.equal(res.status, status, `${what}: ${res.body}`);
      assert.match(res.json?.message ?? '', message, what);
      assert.equal(await eventCount(world.root, events(), DENIED), count + 1, `${what}: one publish_denied event`);
      const denied = await latestEvent(world.root, events(), 'package_registry_package_publish_denied');
      assert.deepEqual([denied.outcome, denied.actor.token_name, denied.client?.name], ['failure', 'paula-laptop', 'curl'], what);
    }
    assert.deepEqual(await store(), before);
  });
});
