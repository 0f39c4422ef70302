import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Api, privateToken } from '../support/api.js';
import { eventCount, latestEvent } from '../support/audit.js';
import { NPM_UA } from '../support/audit-e2e.js';
import { packageTarball, publishBody } from '../support/npm-publish-body.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';
import { blobsCollected, fastBlobGc } from '../support/background-jobs.js';
import { blobStored, storedBlobs } from '../support/stored-blobs.js';

// GitLab's packages REST API as Trove serves it: listing (shape, filters, order, paging),
// group listing across subgroups, one package, its files, and deletes with their audit
// events and the content-addressed blobs on disk.

const sha = (algorithm: string, bytes: Buffer) => createHash(algorithm).update(bytes).digest('hex');
const encoded = (name: string) => name.replace('/', '%2f');

describe('packages REST API', () => {
  let trove: RunningTrove;
  let world: World;
  let acme: { id: number; full_path: string };
  let platform: { id: number; full_path: string };
  let other: { id: number; full_path: string };
  let webApp: { id: number; path_with_namespace: string };
  let tools: { id: number; path_with_namespace: string };
  let scratch: { id: number; path_with_namespace: string };
  let otherLib: { id: number; path_with_namespace: string };
  let max: TestUser;
  let rita: TestUser;
  let job: { id: number; token: string };
  const tarballs = new Map<string, Buffer>();

  /** PUTs what `npm publish` sends, with npm's User-Agent; the same `tarball` bytes can be reused. */
  async function publish(api: Api, projectId: number, name: string, version: string, tarball?: Buffer): Promise<void> {
    const bytes = tarball ?? (await packageTarball(name, version));
    tarballs.set(`${projectId}:${name}@${version}`, bytes);
    const res = await api.request('PUT', `/api/v4/projects/${projectId}/packages/npm/${encoded(name)}`, publishBody(name, version, bytes), { 'user-agent': NPM_UA });
    assert.equal(res.status, 200, `publish ${name}@${version}: ${res.text}`);
  }
  const list = (api: Api, path: string) => api.get(path).then((res) => (assert.equal(res.status, 200, res.text), res));
  const projectList = async (query = '') => (await list(rita.api, `/api/v4/projects/${webApp.id}/packages?per_page=100${query}`)).body as any[];
  const labels = (packages: any[]) => packages.map((p) => `${p.name}@${p.version}`);
  const download = async (api: Api, projectId: number, name: string, version: string): Promise<Buffer> => {
    const packument = await list(api, `/api/v4/projects/${projectId}/packages/npm/${encoded(name)}`);
    const res = await fetch(packument.body.versions[version].dist.tarball, { headers: api.auth });
    assert.equal(res.status, 200);
    return Buffer.from(await res.arrayBuffer());
  };
  // Blobs in the folder or, for small npm tarballs, in the database (test/support/stored-blobs.ts).
  const stored = (sha256: string) => blobStored(trove, sha256);
  const blobCount = async () => (await storedBlobs(trove)).length;
  const packageId = async (projectId: number, name: string, version: string): Promise<number> => {
    const res = await list(world.root, `/api/v4/projects/${projectId}/packages?package_name=${encodeURIComponent(name)}&package_version=${version}`);
    assert.equal(res.body.length, 1, `${name}@${version} in project ${projectId}`);
    return res.body[0].id;
  };

  before(async () => {
    trove = await startTrove({ env: fastBlobGc() });
    world = new World(trove);
    acme = await world.group('acme');
    platform = await world.group('platform', acme.id);
    other = await world.group('other');
    webApp = await world.project('web-app', acme.id);
    tools = await world.project('tools', platform.id);
    scratch = await world.project('scratch', acme.id);
    otherLib = await world.project('lib', other.id);
    max = await world.user('max', ['api'], 'max-laptop');
    rita = await world.user('rita', ['read_api'], 'rita-reader');
    await world.addMember('groups', acme.id, max, 40);
    await world.addMember('groups', other.id, max, 40);
    await world.addMember('groups', acme.id, rita, 20);
    job = await world.jobToken(webApp.id, {
      pipeline_id: 881, job_id: 4242, ref: 'main', sha: '3f2a1c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b',
      pipeline_url: 'https://ci.example.test/acme/web-app/-/pipelines/881', user_id: max.id,
    });
    // Created in this order: created_at order differs from name order and from version order.
    await publish(max.api, webApp.id, '@acme/alpha', '1.0.0');
    await publish(max.api, webApp.id, '@acme/alpha', '1.1.0');
    await publish(max.api, webApp.id, 'beta-lib', '0.1.0');
    await publish(max.api.as({ 'JOB-TOKEN': job.token }), webApp.id, '@acme/alpha', '2.0.0');
    await publish(max.api, webApp.id, 'zeta_util', '3.0.0');
    await publish(max.api, tools.id, 'tools-cli', '1.0.0');
    await publish(max.api, otherLib.id, 'other-only', '1.0.0');
  });

  after(async () => {
    await trove?.stop();
  });

  it('lists a project\'s packages in GitLab\'s shape with published_by', async () => {
    const packages = await projectList();
    assert.deepEqual(labels(packages), ['@acme/alpha@1.0.0', '@acme/alpha@1.1.0', 'beta-lib@0.1.0', '@acme/alpha@2.0.0', 'zeta_util@3.0.0']);
    const first = packages[0];
    assert.equal(typeof first.id, 'number');
    assert.equal(first.package_type, 'npm');
    assert.equal(first.status, 'default');
    assert.ok(!Number.isNaN(Date.parse(first.created_at)), first.created_at);
    assert.equal(first.project_id, webApp.id);
    assert.equal(first.project_path, 'acme/web-app');
    assert.deepEqual(first._links, {
      web_path: `/acme/web-app/-/packages/${first.id}`,
      delete_api_path: `${trove.baseUrl}/api/v4/projects/${webApp.id}/packages/${first.id}`,
    });
    assert.equal(first.pipeline, null);
    assert.deepEqual(first.pipelines, []);
    assert.equal(first.deprecated, null);
    assert.deepEqual(first.published_by, {
      actor: { type: 'personal_access_token', user_id: max.id, username: 'max', token_id: first.published_by.actor.token_id, token_name: 'max-laptop', token_owner_path: 'max' },
      via: 'package_client',
      client: { name: 'npm', version: '11.6.2' },
      pipeline: null,
      at: first.created_at,
    });
    assert.equal(typeof first.published_by.actor.token_id, 'number');

    const fromJob = packages[3];
    const pipeline = { id: 881, job_id: 4242, project_path: 'acme/web-app', ref: 'main', sha: '3f2a1c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b', url: 'https://ci.example.test/acme/web-app/-/pipelines/881' };
    assert.deepEqual(fromJob.pipeline, pipeline);
    assert.deepEqual(fromJob.pipelines, [pipeline]);
    assert.equal(fromJob.published_by.actor.type, 'job_token');
    assert.equal(fromJob.published_by.actor.token_id, job.id);
    assert.equal(fromJob.published_by.via, 'pipeline');
    assert.deepEqual(fromJob.published_by.pipeline, pipeline);
  });

  it('filters by package_type, package_name (substring, wildcards literal), package_version and status', async () => {
    assert.equal((await projectList('&package_type=npm')).length, 5);
    assert.deepEqual(await projectList('&package_type=pypi'), []);
    assert.deepEqual(labels(await projectList('&package_name=alph')), ['@acme/alpha@1.0.0', '@acme/alpha@1.1.0', '@acme/alpha@2.0.0']);
    assert.deepEqual(labels(await projectList('&package_name=ALPHA')), ['@acme/alpha@1.0.0', '@acme/alpha@1.1.0', '@acme/alpha@2.0.0']);
    // LIKE wildcards in the search are literal characters.
    assert.deepEqual(labels(await projectList('&package_name=_')), ['zeta_util@3.0.0']);
    assert.deepEqual(labels(await projectList('&package_name=zeta_util')), ['zeta_util@3.0.0']);
    assert.deepEqual(await projectList('&package_name=%25'), []);
    assert.deepEqual(labels(await projectList('&package_version=1.1.0')), ['@acme/alpha@1.1.0']);
    assert.deepEqual(labels(await projectList('&package_name=alpha&package_version=3.0.0')), []);
    assert.equal((await projectList('&status=default')).length, 5);
    assert.deepEqual(await projectList('&status=hidden'), []);
  });

  it('orders by created_at, name, version and type, asc and desc; 400 for a bad order_by', async () => {
    const byCreation = ['@acme/alpha@1.0.0', '@acme/alpha@1.1.0', 'beta-lib@0.1.0', '@acme/alpha@2.0.0', 'zeta_util@3.0.0'];
    const byName = ['@acme/alpha@1.0.0', '@acme/alpha@1.1.0', '@acme/alpha@2.0.0', 'beta-lib@0.1.0', 'zeta_util@3.0.0'];
    const byVersion = ['beta-lib@0.1.0', '@acme/alpha@1.0.0', '@acme/alpha@1.1.0', '@acme/alpha@2.0.0', 'zeta_util@3.0.0'];
    assert.deepEqual(labels(await projectList('&order_by=created_at&sort=asc')), byCreation);
    assert.deepEqual(labels(await projectList('&order_by=created_at&sort=desc')), [...byCreation].reverse());
    assert.deepEqual(labels(await projectList('&sort=desc')), [...byCreation].reverse());
    assert.deepEqual(labels(await projectList('&order_by=name')), byName);
    assert.deepEqual(labels(await projectList('&order_by=name&sort=desc')), [...byName].reverse());
    assert.deepEqual(labels(await projectList('&order_by=version')), byVersion);
    assert.deepEqual(labels(await projectList('&order_by=version&sort=desc')), [...byVersion].reverse());
    // One format here: type ties are broken by id in the same direction.
    assert.deepEqual(labels(await projectList('&order_by=type&sort=desc')), [...byCreation].reverse());
    const bad = await rita.api.get(`/api/v4/projects/${webApp.id}/packages?order_by=size`);
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, { error: 'order_by does not have a valid value' });
  });

  it('paginates with GitLab\'s headers and caps per_page at 100', async () => {
    const path = `/api/v4/projects/${webApp.id}/packages`;
    const page2 = await list(rita.api, `${path}?per_page=2&page=2&package_type=npm`);
    assert.deepEqual(labels(page2.body), ['beta-lib@0.1.0', '@acme/alpha@2.0.0']);
    const h = (name: string) => page2.headers.get(name);
    assert.deepEqual([h('x-page'), h('x-per-page'), h('x-total'), h('x-total-pages'), h('x-next-page'), h('x-prev-page')], ['2', '2', '5', '3', '3', '1']);
    const link = h('link') ?? '';
    for (const [rel, page] of [['next', 3], ['prev', 1], ['first', 1], ['last', 3]] as const) {
      const match = new RegExp(`<([^>]+)>; rel="${rel}"`).exec(link);
      assert.ok(match, `rel=${rel} in ${link}`);
      const url = new URL(match[1]);
      assert.equal(`${url.origin}${url.pathname}`, `${trove.baseUrl}${path}`);
      assert.deepEqual([url.searchParams.get('page'), url.searchParams.get('per_page'), url.searchParams.get('package_type')], [String(page), '2', 'npm']);
    }
    const last = await list(rita.api, `${path}?per_page=2&page=3`);
    assert.deepEqual(labels(last.body), ['zeta_util@3.0.0']);
    assert.equal(last.headers.get('x-next-page'), '');
    assert.doesNotMatch(last.headers.get('link') ?? '', /rel="next"/);
    const capped = await list(rita.api, `${path}?per_page=500`);
    assert.equal(capped.headers.get('x-per-page'), '100');
    assert.equal(capped.body.length, 5);
    assert.equal((await rita.api.get(`${path}?per_page=0`)).status, 400);
  });

  it('lists a group\'s packages including its subgroups\' projects', async () => {
    const res = await list(rita.api, `/api/v4/groups/acme/packages?per_page=100&order_by=name`);
    const where = res.body.map((p: any) => `${p.project_path}:${p.name}@${p.version}`);
    assert.deepEqual(where, [
      'acme/web-app:@acme/alpha@1.0.0', 'acme/web-app:@acme/alpha@1.1.0', 'acme/web-app:@acme/alpha@2.0.0',
      'acme/web-app:beta-lib@0.1.0', 'acme/platform/tools:tools-cli@1.0.0', 'acme/web-app:zeta_util@3.0.0',
    ]);
    assert.equal(res.headers.get('x-total'), '6');
    const toolsCli = res.body.find((p: any) => p.name === 'tools-cli');
    assert.equal(toolsCli.project_id, tools.id);
    assert.equal(toolsCli._links.web_path, `/acme/platform/tools/-/packages/${toolsCli.id}`);
    const sub = await list(rita.api, `/api/v4/groups/${platform.id}/packages`);
    assert.deepEqual(labels(sub.body), ['tools-cli@1.0.0']);
    const filtered = await list(rita.api, `/api/v4/groups/${acme.id}/packages?package_name=tools`);
    assert.deepEqual(labels(filtered.body), ['tools-cli@1.0.0']);
  });

  it('gets one package, only through its own project', async () => {
    const [listed] = await projectList('&package_version=1.0.0');
    assert.deepEqual(await rita.api.expect(200, 'GET', `/api/v4/projects/${webApp.id}/packages/${listed.id}`), listed);
    assert.deepEqual(await rita.api.expect(200, 'GET', `/api/v4/projects/acme%2Fweb-app/packages/${listed.id}`), listed);
    const toolsId = await packageId(tools.id, 'tools-cli', '1.0.0');
    assert.equal((await rita.api.get(`/api/v4/projects/${tools.id}/packages/${toolsId}`)).status, 200, 'rita can read it in its own project');
    const elsewhere = await rita.api.get(`/api/v4/projects/${webApp.id}/packages/${toolsId}`);
    assert.equal(elsewhere.status, 404);
    assert.match(elsewhere.body.message, /404 Package Not Found/);
    assert.equal((await rita.api.get(`/api/v4/projects/${webApp.id}/packages/${toolsId}/package_files`)).status, 404);
    assert.equal((await rita.api.get(`/api/v4/projects/${webApp.id}/packages/999999`)).status, 404);
  });

  it('lists package files whose checksums match the bytes clients download', async () => {
    const id = await packageId(webApp.id, '@acme/alpha', '2.0.0');
    const files = await rita.api.expect(200, 'GET', `/api/v4/projects/${webApp.id}/packages/${id}/package_files`);
    assert.equal(files.length, 1);
    const bytes = await download(rita.api, webApp.id, '@acme/alpha', '2.0.0');
    assert.deepEqual(bytes, tarballs.get(`${webApp.id}:@acme/alpha@2.0.0`));
    const [file] = files;
    assert.equal(file.package_id, id);
    assert.equal(file.file_name, 'alpha-2.0.0.tgz');
    assert.equal(file.size, bytes.length);
    assert.equal(file.file_sha256, sha('sha256', bytes));
    assert.equal(file.file_sha1, sha('sha1', bytes));
    assert.equal(file.file_md5, sha('md5', bytes));
    assert.equal(file.created_by.actor.type, 'job_token');
    assert.equal(file.created_by.pipeline.id, 881);
    assert.equal(file.created_by.via, 'pipeline');
  });

  it('shows deprecation and the dist-tags pointing at each version', async () => {
    const npm = `/api/v4/projects/${webApp.id}/packages/npm`;
    const tagRes = await max.api.request('PUT', `${npm}/-/package/@acme%2falpha/dist-tags/beta`, JSON.stringify('1.1.0'), { 'content-type': 'application/json' });
    assert.equal(tagRes.status, 200, tagRes.text);
    const deprecate = await max.api.request('PUT', `${npm}/@acme%2falpha`, {
      name: '@acme/alpha',
      versions: { '1.0.0': { name: '@acme/alpha', version: '1.0.0', deprecated: 'use 2.x' } },
    });
    assert.equal(deprecate.status, 200, deprecate.text);
    const alpha = Object.fromEntries((await projectList('&package_name=alpha')).map((p) => [p.version, p]));
    assert.equal(alpha['1.0.0'].deprecated, 'use 2.x');
    assert.equal(alpha['2.0.0'].deprecated, null);
    assert.deepEqual(alpha['1.0.0'].tags, []);
    assert.deepEqual(alpha['1.1.0'].tags.map((t: any) => t.name), ['beta']);
    assert.deepEqual(alpha['2.0.0'].tags.map((t: any) => t.name), ['latest']);
    assert.equal(alpha['1.1.0'].tags[0].package_id, alpha['1.1.0'].id);
    const one = await rita.api.expect(200, 'GET', `/api/v4/projects/${webApp.id}/packages/${alpha['1.0.0'].id}`);
    assert.equal(one.deprecated, 'use 2.x');
  });

  it('deletes one package file: audited, and its blob removed from storage by the collector', async () => {
    await publish(max.api, scratch.id, 'file-del', '1.0.0');
    const id = await packageId(scratch.id, 'file-del', '1.0.0');
    const [file] = await max.api.expect(200, 'GET', `/api/v4/projects/${scratch.id}/packages/${id}/package_files`);
    assert.ok(await stored(file.file_sha256), 'blob stored');
    const denied = await rita.api.delete(`/api/v4/projects/${scratch.id}/packages/${id}/package_files/${file.id}`);
    assert.equal(denied.status, 403, 'a reporter may not delete');
    assert.ok(await stored(file.file_sha256), 'a refused delete keeps the blob');

    const res = await max.api.delete(`/api/v4/projects/${scratch.id}/packages/${id}/package_files/${file.id}`);
    assert.equal(res.status, 204, res.text);
    const event = await latestEvent(world.root, `/api/v4/groups/${acme.id}/audit_events`, 'package_registry_package_file_deleted');
    assert.equal(event.actor.username, 'max');
    assert.equal(event.via, 'api');
    assert.deepEqual(event.project, { id: scratch.id, full_path: 'acme/scratch' });
    assert.equal(event.package.id, id);
    assert.deepEqual(event.package.files, [{ file_name: 'file-del-1.0.0.tgz', size: file.size, sha256: file.file_sha256 }]);
    await blobsCollected(world.root);
    assert.equal(await stored(file.file_sha256), false, 'unreferenced blob left in storage');
    assert.deepEqual(await max.api.expect(200, 'GET', `/api/v4/projects/${scratch.id}/packages/${id}/package_files`), []);
    assert.equal((await max.api.delete(`/api/v4/projects/${scratch.id}/packages/${id}/package_files/${file.id}`)).status, 404);
  });

  it('deletes a package: one package_deleted event, its blobs removed by the collector', async () => {
    await publish(max.api, scratch.id, 'pkg-del', '1.0.0');
    const id = await packageId(scratch.id, 'pkg-del', '1.0.0');
    const [file] = await max.api.expect(200, 'GET', `/api/v4/projects/${scratch.id}/packages/${id}/package_files`);
    const events = `/api/v4/groups/${acme.id}/audit_events`;
    const before = await eventCount(world.root, events, '&event_name=package_registry_package_deleted');
    const res = await max.api.delete(`/api/v4/projects/${scratch.id}/packages/${id}`);
    assert.equal(res.status, 204, res.text);
    assert.equal(await eventCount(world.root, events, '&event_name=package_registry_package_deleted'), before + 1);
    const event = await latestEvent(world.root, events, 'package_registry_package_deleted');
    assert.deepEqual(
      { id: event.package.id, name: event.package.name, version: event.package.version, files: event.package.files },
      { id, name: 'pkg-del', version: '1.0.0', files: [{ file_name: 'pkg-del-1.0.0.tgz', size: file.size, sha256: file.file_sha256 }] },
    );
    await blobsCollected(world.root);
    assert.equal(await stored(file.file_sha256), false, 'blob of the deleted package left in storage');
    assert.equal((await max.api.get(`/api/v4/projects/${scratch.id}/packages/${id}`)).status, 404);
    assert.equal((await max.api.delete(`/api/v4/projects/${scratch.id}/packages/${id}`)).status, 404);
  });

  it('stores byte-identical tarballs of two projects once and removes the blob with its last reference', async () => {
    const tarball = await packageTarball('shared-lib', '1.0.0');
    const digest = sha('sha256', tarball);
    await blobsCollected(world.root); // what earlier tests deleted is gone: the count stays put
    const blobsBefore = await blobCount();
    await publish(max.api, scratch.id, 'shared-lib', '1.0.0', tarball);
    assert.equal(await blobCount(), blobsBefore + 1);
    await publish(max.api, otherLib.id, 'shared-lib', '1.0.0', tarball);
    assert.equal(await blobCount(), blobsBefore + 1, 'the second identical tarball must not add a blob');
    assert.ok(await stored(digest));

    const inScratch = await packageId(scratch.id, 'shared-lib', '1.0.0');
    const inOther = await packageId(otherLib.id, 'shared-lib', '1.0.0');
    const [otherFile] = await max.api.expect(200, 'GET', `/api/v4/projects/${otherLib.id}/packages/${inOther}/package_files`);
    assert.equal(otherFile.file_sha256, digest);

    assert.equal((await max.api.delete(`/api/v4/projects/${scratch.id}/packages/${inScratch}`)).status, 204);
    await blobsCollected(world.root);
    assert.ok(await stored(digest), 'blob still referenced by other/lib was removed');
    assert.deepEqual(await download(max.api, otherLib.id, 'shared-lib', '1.0.0'), tarball);

    assert.equal((await max.api.delete(`/api/v4/projects/${otherLib.id}/packages/${inOther}`)).status, 204);
    await blobsCollected(world.root);
    assert.equal(await stored(digest), false, 'blob left after its last reference was deleted');
    assert.equal(await blobCount(), blobsBefore);
    const event = await latestEvent(world.root, `/api/v4/groups/${other.id}/audit_events`, 'package_registry_package_deleted');
    assert.deepEqual([event.package.id, event.project.full_path], [inOther, 'other/lib']);
  });
});
