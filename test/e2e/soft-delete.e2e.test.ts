import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { latestEvent } from '../support/audit.js';
import { blobsCollected, fastBlobGc, PURGE_JOB, TEST_RESTORE_SECONDS, waitForJobRun } from '../support/background-jobs.js';
import { makeConsumer, makePackage, NpmClient } from '../support/npm-client.js';
import { packageTarball, publishBody } from '../support/npm-publish-body.js';
import { blobStored } from '../support/stored-blobs.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// Deletes are soft (docs/api.md#deleted-versions): a deleted version disappears from clients and
// listings at once, stays restorable (same bytes, same published_by, its dist-tags) for
// TROVE_RESTORE_DAYS and is listed under ?status=deleted; then the purge job removes it as the
// system actor, unless a legal hold covers it, and only then does the blob collector reclaim its bytes.

const RESTORED = 'package_registry_package_restored';
const PURGED = 'package_registry_package_purged';
const DENIED = 'package_registry_package_publish_denied';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('soft delete and restore', () => {
  let trove: RunningTrove;
  let world: World;
  let group: { id: number; full_path: string };
  let project: { id: number };
  let maintainer: TestUser;
  let developer: TestUser;
  let outsider: TestUser;
  let registry: string;
  const packages = () => `/api/v4/projects/${project.id}/packages`;
  const events = () => `/api/v4/projects/${project.id}/audit_events`;
  const tarball = (name: string, version: string) => `${packages()}/npm/${name}/-/${name.split('/').pop()}-${version}.tgz`;

  before(async () => {
    trove = await startTrove();
    world = new World(trove);
    group = await world.group('acme');
    project = await world.project('web-app', group.id);
    maintainer = await world.user('max', ['api'], 'max-laptop');
    developer = await world.user('dana');
    outsider = await world.user('olga');
    await world.addMember('groups', group.id, maintainer, 40);
    await world.addMember('groups', group.id, developer, 30);
    registry = `${trove.baseUrl}/api/v4/projects/${project.id}/packages/npm/`;
  });

  after(async () => {
    await trove?.stop();
  });

  /** A file's bytes as a client downloads them (status and body), with the administrator's token. */
  async function download(path: string): Promise<{ status: number; bytes: Buffer }> {
    const res = await fetch(`${trove.baseUrl}${path}`, { headers: world.root.auth });
    return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
  }

  async function version(name: string, v: string, status = ''): Promise<any> {
    const list = await world.root.expect(200, 'GET', `${packages()}?package_name=${encodeURIComponent(name)}&package_version=${v}${status}`);
    return list.find((p: any) => p.name === name && p.version === v);
  }

  async function publishNpm(name: string, v: string): Promise<any> {
    await world.root.expect(200, 'PUT', `${packages()}/npm/${encodeURIComponent(name)}`, publishBody(name, v, await packageTarball(name, v)));
    return version(name, v);
  }

  it('npm unpublish, install fails, restore, install gives the same tarball, published_by and dist-tag', async () => {
    const client = new NpmClient(registry, maintainer.token);
    for (const v of ['1.0.0', '1.1.0']) assert.equal((await client.npm(['publish'], makePackage('@acme/ui-kit', v))).code, 0);
    assert.equal((await client.npm(['dist-tag', 'add', '@acme/ui-kit@1.0.0', 'stable'])).code, 0);
    const published = await version('@acme/ui-kit', '1.0.0');
    const original = await download(tarball('@acme/ui-kit', '1.0.0'));
    assert.equal(original.status, 200);

    const unpublished = await client.npm(['unpublish', '@acme/ui-kit@1.0.0']);
    assert.equal(unpublished.code, 0, unpublished.stderr);
    assert.notEqual((await client.npm(['install', '@acme/ui-kit@1.0.0'], makeConsumer())).code, 0);
    assert.equal((await download(tarball('@acme/ui-kit', '1.0.0'))).status, 404);
    assert.equal(await version('@acme/ui-kit', '1.0.0'), undefined, 'not in the default listing');
    await world.root.expect(404, 'GET', `${packages()}/${published.id}`);

    const deleted = await version('@acme/ui-kit', '1.0.0', '&status=deleted');
    assert.equal(deleted.status, 'pending_destruction');
    assert.equal(deleted.deletion.deleted_by.actor.token_name, 'max-laptop');
    assert.deepEqual(deleted.deletion.tags, ['stable']);
    assert.equal(Date.parse(deleted.deletion.purge_after) - Date.parse(deleted.deletion.deleted_at), 30 * 86_400_000);

    await maintainer.api.expect(200, 'GET', `${packages()}/${published.id}/deletion`);
    const restored = await maintainer.api.expect(201, 'POST', `${packages()}/${published.id}/restore`);
    await maintainer.api.expect(404, 'GET', `${packages()}/${published.id}/deletion`);
    assert.equal(restored.status, 'default');
    assert.equal(restored.deletion, null);
    assert.deepEqual(restored.published_by, published.published_by);
    const event = await latestEvent(world.root, events(), RESTORED);
    assert.equal(event.actor.username, 'max');
    assert.equal(event.package.id, published.id);
    assert.equal(event.package.files[0].sha256, sha256(original.bytes));

    const consumer = makeConsumer();
    const install = await client.npm(['install', '@acme/ui-kit@1.0.0'], consumer);
    assert.equal(install.code, 0, install.stderr);
    assert.equal(sha256((await download(tarball('@acme/ui-kit', '1.0.0'))).bytes), sha256(original.bytes));
    const distTags = await world.root.expect(200, 'GET', `${packages()}/${published.id}/dist_tags`);
    assert.deepEqual(distTags.map((t: any) => [t.name, t.version]), [['latest', '1.1.0'], ['stable', '1.0.0']]);
  });

  it('serves no file of a deleted version to PyPI or generic clients until it is restored', async () => {
    const wheel = randomBytes(300);
    const fileName = 'probe_kit-1.0.0-py3-none-any.whl';
    const form = new FormData();
    const fields = { ':action': 'file_upload', protocol_version: '1', name: 'probe-kit', version: '1.0.0', filetype: 'bdist_wheel', pyversion: 'py3', metadata_version: '2.1', sha256_digest: sha256(wheel) };
    for (const [key, value] of Object.entries(fields)) form.append(key, value);
    form.append('content', new Blob([wheel]), fileName);
    const upload = await fetch(`${trove.baseUrl}${packages()}/pypi`, { method: 'POST', body: form, headers: world.root.auth });
    assert.equal(upload.status, 201, await upload.text());
    const generic = randomBytes(300);
    const genericPath = `${packages()}/generic/probe-kit/1.0.0/probe.bin`;
    assert.equal((await world.root.request('PUT', genericPath, generic, { 'content-type': 'application/octet-stream' })).status, 201);
    const wheelPath = `${packages()}/pypi/files/${sha256(wheel)}/${fileName}`;
    const served = [wheelPath, genericPath];
    for (const path of served) assert.equal((await download(path)).status, 200, path);
    const simpleIndex = async () => (await download(`${packages()}/pypi/simple/probe-kit`)).bytes.toString();
    assert.match(await simpleIndex(), /probe_kit-1\.0\.0/);

    const deleted = await world.root.expect(200, 'GET', `${packages()}?package_name=probe-kit`);
    for (const pkg of deleted) await world.root.expect(204, 'DELETE', `${packages()}/${pkg.id}`);
    for (const path of served) assert.equal((await download(path)).status, 404, path);
    assert.doesNotMatch(await simpleIndex(), /probe_kit-1\.0\.0/);

    for (const pkg of deleted) await world.root.expect(201, 'POST', `${packages()}/${pkg.id}/restore`);
    assert.ok((await download(wheelPath)).bytes.equals(wheel));
    assert.ok((await download(genericPath)).bytes.equals(generic));
  });

  it('refuses a re-publish of a deleted version, as npm does', async () => {
    const pkg = await publishNpm('@acme/gone', '2.0.0');
    await world.root.expect(204, 'DELETE', `${packages()}/${pkg.id}`);
    const again = await world.root.put(`${packages()}/npm/${encodeURIComponent('@acme/gone')}`, publishBody('@acme/gone', '2.0.0', await packageTarball('@acme/gone', '2.0.0')));
    assert.equal(again.status, 403);
    assert.match(again.body.error, /previously published/);
  });

  it('restores only for maintainers, as a push the protection rules may forbid; refusals audited', async () => {
    const pkg = await publishNpm('@acme/guarded', '1.0.0');
    await maintainer.api.expect(204, 'DELETE', `${packages()}/${pkg.id}`);
    await developer.api.expect(403, 'POST', `${packages()}/${pkg.id}/restore`);
    const denied = await latestEvent(world.root, events(), DENIED);
    assert.equal(denied.actor.username, 'dana');
    assert.equal(denied.package.version, '1.0.0');
    await outsider.api.expect(404, 'POST', `${packages()}/${pkg.id}/restore`);

    const rule = await world.root.expect(201, 'POST', `${packages()}/protection/rules`, {
      package_name_pattern: '@acme/guarded',
      package_type: 'npm',
      minimum_access_level_for_push: 'owner',
    });
    const refused = await maintainer.api.request('POST', `${packages()}/${pkg.id}/restore`);
    assert.equal(refused.status, 403);
    assert.match(refused.body.message, /protection rule/i);
    await world.root.expect(204, 'DELETE', `${packages()}/protection/rules/${rule.id}`);

    await maintainer.api.expect(201, 'POST', `${packages()}/${pkg.id}/restore`);
    await maintainer.api.expect(404, 'POST', `${packages()}/${pkg.id}/restore`);
  });

  it('purges a deleted version on request: owners and admins only, never a live or held version; audited with the caller and reason', async () => {
    const pkg = await publishNpm('@acme/leaked', '1.0.0');
    const purge = (api: typeof world.root, body?: object) => api.request('POST', `${packages()}/${pkg.id}/purge`, body);
    assert.equal((await purge(world.root)).status, 404, 'a live version is deleted first');
    await maintainer.api.expect(204, 'DELETE', `${packages()}/${pkg.id}`);
    assert.equal((await purge(maintainer.api)).status, 403, 'a maintainer may delete and restore, not purge');
    const denied = await latestEvent(world.root, events(), DENIED);
    assert.deepEqual([denied.actor.username, denied.package.name], ['max', '@acme/leaked']);
    await world.root.expect(200, 'PUT', `${packages()}/${pkg.id}/legal_hold`, { reason: 'Investigation', reference: 'CASE-1' });
    assert.equal((await purge(world.root)).status, 403, 'a legal hold stops a purge');
    await world.root.expect(204, 'DELETE', `${packages()}/${pkg.id}/legal_hold`);

    assert.equal((await purge(world.root, { reason: 'token leaked in package.json' })).status, 204);
    const purged = await latestEvent(world.root, events(), PURGED);
    assert.deepEqual([purged.package.name, purged.actor.type, purged.actor.username, purged.via], ['@acme/leaked', 'personal_access_token', 'root', 'api']);
    assert.match(JSON.stringify(purged), /token leaked in package\.json/);
    assert.equal((await world.root.request('POST', `${packages()}/${pkg.id}/restore`)).status, 404, 'nothing to restore');
    const deleted = await world.root.expect(200, 'GET', `${packages()}?status=deleted`);
    assert.ok(!deleted.some((p: any) => p.id === pkg.id));
  });
});

describe('purge of deleted versions after the restore window', () => {
  let trove: RunningTrove;
  let world: World;
  let project: { id: number };
  const packages = () => `/api/v4/projects/${project.id}/packages`;

  before(async () => {
    trove = await startTrove({ env: fastBlobGc() });
    world = new World(trove);
    project = await world.project('purged', (await world.group('acme')).id);
  });

  after(async () => {
    await trove?.stop();
  });

  async function deletedGeneric(name: string): Promise<{ pkg: any; bytes: Buffer }> {
    const bytes = randomBytes(4096);
    const path = `${packages()}/generic/${name}/1.0.0/file.bin`;
    assert.equal((await world.root.request('PUT', path, bytes, { 'content-type': 'application/octet-stream' })).status, 201);
    const [pkg] = await world.root.expect(200, 'GET', `${packages()}?package_name=${name}`);
    await world.root.expect(204, 'DELETE', `${packages()}/${pkg.id}`);
    return { pkg, bytes };
  }

  it('purges as the system actor once the window is over, keeps held versions; the collector then takes the bytes', async () => {
    const expired = await deletedGeneric('expired');
    const held = await deletedGeneric('held');
    await world.root.expect(200, 'PUT', `${packages()}/${held.pkg.id}/legal_hold`, { reason: 'Investigation', reference: 'CASE-9' });
    const deletedAt = Date.now();

    const run = await waitForJobRun(world.root, PURGE_JOB, deletedAt + TEST_RESTORE_SECONDS * 1000);
    assert.match(run.detail ?? '', /kept 1 under legal hold/);
    const purged = await latestEvent(world.root, `/api/v4/projects/${project.id}/audit_events`, PURGED);
    assert.equal(purged.package.name, 'expired');
    assert.deepEqual([purged.actor.type, purged.actor.name, purged.via], ['system', 'Deleted packages purge', 'system']);
    assert.equal(purged.package.files[0].sha256, sha256(expired.bytes));
    const stillDeleted = await world.root.expect(200, 'GET', `${packages()}?status=deleted`);
    assert.deepEqual(stillDeleted.map((p: any) => p.name), ['held']);

    await blobsCollected(world.root);
    assert.equal(await blobStored(trove, sha256(expired.bytes)), false, 'purged bytes collected');
    assert.equal(await blobStored(trove, sha256(held.bytes)), true, 'bytes of a deleted, held version kept');
  });
});
