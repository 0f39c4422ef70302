// One backend: skopeo's and podman's own requests; the OCI conformance suite, which runs on both databases, pushes and pulls with skopeo too.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Api, basic } from '../support/api.js';
import { latestEvent } from '../support/audit.js';
import { blobsCollected, fastBlobGc } from '../support/background-jobs.js';
import { OCI_INDEX, OCI_MANIFEST, OciWorkspace, ociDigest, pushBlob, pushSmallImage } from '../support/oci-workspace.js';
import { blobStored } from '../support/stored-blobs.js';
import { waitFor } from '../support/webhook-receiver.js';
import { startTrove, tempDir, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// The OCI distribution API at /v2/ with real clients: images built offline with umoci, pushed,
// inspected, listed, pulled back and deleted with skopeo over HTTP Basic (user:token), and the
// audit trail each of those writes leaves in the group's log.

const DEVELOPER = 30;

describe('container registry: skopeo against /v2/', () => {
  let trove: RunningTrove;
  let world: World;
  let oci: OciWorkspace;
  let dev: TestUser;
  let registry: string;
  let groupEvents: string;
  let projectId: number;
  let groupId: number;

  before(async () => {
    trove = await startTrove();
    world = new World(trove);
    oci = new OciWorkspace(tempDir('trove-oci-'));
    const group = await world.group('acme');
    const project = await world.project('web-app', group.id);
    projectId = project.id;
    groupId = group.id;
    dev = await world.user('dev', ['read_registry', 'write_registry']);
    await world.addMember('projects', project.id, dev, DEVELOPER);
    registry = `docker://${new URL(trove.baseUrl).host}`;
    groupEvents = `/api/v4/groups/${group.id}/audit_events`;
  });

  after(async () => {
    await trove?.stop();
  });

  it('pushes an image, inspects it, lists its tag and pulls back the same layers', async () => {
    const image = await oci.image('one', { 'hello.txt': 'hello\n', 'world.txt': 'world\n' });
    const creds = `dev:${dev.token}`;
    const pushed = await oci.copy(image, `${registry}/acme/web-app/api:1.0`, creds);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.match(pushed.digest ?? '', /^sha256:[a-f0-9]{64}$/);

    const inspected = await oci.skopeo(['inspect', '--tls-verify=false', '--creds', creds, `${registry}/acme/web-app/api:1.0`]);
    assert.equal(inspected.code, 0, inspected.stderr);
    const info = JSON.parse(inspected.stdout) as { Digest: string; Layers: string[] };
    assert.equal(info.Digest, pushed.digest);
    assert.deepEqual(info.Layers, oci.layerDigests(image));

    const tags = await oci.skopeo(['list-tags', '--tls-verify=false', '--creds', creds, `${registry}/acme/web-app/api`]);
    assert.equal(tags.code, 0, tags.stderr);
    assert.deepEqual(JSON.parse(tags.stdout).Tags, ['1.0']);

    const back = `oci:${oci.dir}/back:1.0`;
    const pulled = await oci.copy(`${registry}/acme/web-app/api:1.0`, back, creds);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.deepEqual(oci.layerDigests(back), oci.layerDigests(image));

    const pushedEvent = await latestEvent(world.root, groupEvents, 'container_registry_manifest_pushed');
    assert.equal(pushedEvent.package.name, 'acme/web-app/api');
    assert.equal(pushedEvent.package.files[0].file_name, pushed.digest);
    assert.equal(pushedEvent.actor.token_name, 'dev-token');
    assert.equal(pushedEvent.client.name, 'skopeo');
    assert.equal(pushedEvent.via, 'package_client');
    const created = await latestEvent(world.root, groupEvents, 'container_registry_tag_created');
    assert.deepEqual(created.changes.digest, { from: null, to: pushed.digest });
    await latestEvent(world.root, groupEvents, 'container_registry_repository_created');
  });
  it('pushes with a deploy token, and records a tag moved to another image with both digests', async () => {
    const deploy = await world.deployToken('projects', projectId, 'ci-push', ['read_registry', 'write_registry']);
    const creds = `${deploy.username}:${deploy.token}`;
    const first = await oci.copy(await oci.image('first', { 'a.txt': 'first\n' }), `${registry}/acme/web-app:prod`, creds);
    assert.equal(first.code, 0, first.stderr);
    // The second as a Docker schema 2 manifest.
    const second = await oci.copy(await oci.image('second', { 'a.txt': 'second\n' }), `${registry}/acme/web-app:prod`, creds, ['--format', 'v2s2']);
    assert.equal(second.code, 0, second.stderr);
    assert.notEqual(first.digest, second.digest);

    const moved = await latestEvent(world.root, groupEvents, 'container_registry_tag_moved');
    assert.deepEqual(moved.changes.digest, { from: first.digest, to: second.digest });
    assert.equal(moved.package.name, 'acme/web-app');
    assert.equal(moved.package.version, 'prod');
    assert.equal(moved.actor.type, 'deploy_token');
    assert.equal(moved.actor.token_name, 'ci-push');
    const inspected = await oci.skopeo(['inspect', '--raw', '--tls-verify=false', '--creds', creds, `${registry}/acme/web-app:prod`]);
    assert.equal(ociDigest(inspected.stdout), second.digest);
    assert.equal(JSON.parse(inspected.stdout).mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
  });

  it('pulls, tags and pushes with podman', async () => {
    const host = new URL(trove.baseUrl).host;
    const creds = `dev:${dev.token}`;
    const pulled = await oci.podman(['pull', '--tls-verify=false', '--creds', creds, `${host}/acme/web-app/api:1.0`]);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.equal((await oci.podman(['tag', `${host}/acme/web-app/api:1.0`, `${host}/acme/web-app/api:from-podman`])).code, 0);
    const pushed = await oci.podman(['push', '--tls-verify=false', '--creds', creds, `${host}/acme/web-app/api:from-podman`]);
    assert.equal(pushed.code, 0, pushed.stderr);
    const tags = await dev.api.get('/v2/acme/web-app/api/tags/list');
    assert.ok(tags.body.tags.includes('from-podman'));
    const event = await latestEvent(world.root, groupEvents, 'container_registry_tag_created');
    assert.equal(event.package.version, 'from-podman');
    assert.equal(event.client.name, 'containers');
  });

  it('refuses a push with a read-only token and audits it as push_denied', async () => {
    const reader = await world.token(dev, 'read-only', ['read_registry']);
    const refused = await oci.copy(await oci.image('refused', { 'r.txt': 'refused\n' }), `${registry}/acme/web-app/api:refused`, `dev:${reader.token}`);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /requested access to the resource is denied/, 'skopeo prints the registry\'s refusal');
    const denied = await latestEvent(world.root, groupEvents, 'container_registry_push_denied');
    assert.equal(denied.outcome, 'failure');
    assert.equal(denied.actor.token_name, 'read-only');
    assert.equal(denied.package.name, 'acme/web-app/api');
    const tags = await dev.api.get('/v2/acme/web-app/api/tags/list');
    assert.ok(!tags.body.tags.includes('refused'));
  });

  it('serves a multi-platform index over images of two architectures', async () => {
    const creds = `dev:${dev.token}`;
    const platforms = [] as { mediaType: string; digest: string; size: number; platform: { architecture: string; os: string } }[];
    for (const architecture of ['amd64', 'arm64']) {
      const pushed = await oci.copy(await oci.image(`multi-${architecture}`, { 'arch.txt': `${architecture}\n` }, architecture), `${registry}/acme/web-app/multi:${architecture}`, creds);
      assert.equal(pushed.code, 0, pushed.stderr);
      const raw = await oci.skopeo(['inspect', '--raw', '--tls-verify=false', '--creds', creds, `${registry}/acme/web-app/multi:${architecture}`]);
      platforms.push({ mediaType: OCI_MANIFEST, digest: pushed.digest!, size: Buffer.byteLength(raw.stdout), platform: { architecture, os: 'linux' } });
    }
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: platforms }));
    const put = await dev.api.request('PUT', '/v2/acme/web-app/multi/manifests/latest', index, { 'content-type': OCI_INDEX });
    assert.equal(put.status, 201, put.text);
    assert.equal(put.headers.get('docker-content-digest'), ociDigest(index));

    const raw = await oci.skopeo(['inspect', '--raw', '--tls-verify=false', '--creds', creds, `${registry}/acme/web-app/multi:latest`]);
    assert.deepEqual(JSON.parse(raw.stdout).manifests.map((m: { platform: { architecture: string } }) => m.platform.architecture), ['amd64', 'arm64']);
    const back = `oci:${oci.dir}/multi-back:latest`;
    const pulled = await oci.copy(`${registry}/acme/web-app/multi:latest`, back, creds, ['--all']);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.equal(pulled.digest, ociDigest(index));

    // An index may name only manifests the repository has.
    const unknown = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ ...platforms[0], digest: ociDigest('nothing') }] }));
    const refused = await dev.api.request('PUT', '/v2/acme/web-app/multi/manifests/broken', unknown, { 'content-type': OCI_INDEX });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.errors[0].code, 'MANIFEST_BLOB_UNKNOWN');
  });

  it('deletes with skopeo: the manifest and its tags go, each audited', async () => {
    const creds = `dev:${dev.token}`;
    const maintainer = await world.user('keeper', ['write_registry']);
    await world.addMember('projects', projectId, maintainer, 40);
    const pushed = await oci.copy(await oci.image('doomed', { 'd.txt': 'doomed\n' }), `${registry}/acme/web-app/doomed:1`, creds);
    assert.equal(pushed.code, 0, pushed.stderr);
    const other = await dev.api.request('PUT', `/v2/acme/web-app/doomed/manifests/also`, (await dev.api.get(`/v2/acme/web-app/doomed/manifests/1`, { accept: OCI_MANIFEST })).text, { 'content-type': OCI_MANIFEST });
    assert.equal(other.status, 201, other.text);

    // A developer may push but not delete.
    const refused = await oci.skopeo(['delete', '--tls-verify=false', '--creds', creds, `${registry}/acme/web-app/doomed:1`]);
    assert.notEqual(refused.code, 0);
    const deleted = await oci.skopeo(['delete', '--tls-verify=false', '--creds', `keeper:${maintainer.token}`, `${registry}/acme/web-app/doomed:1`]);
    assert.equal(deleted.code, 0, deleted.stderr);

    const gone = await dev.api.get(`/v2/acme/web-app/doomed/manifests/${pushed.digest}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.errors[0].code, 'MANIFEST_UNKNOWN');
    assert.deepEqual((await dev.api.get('/v2/acme/web-app/doomed/tags/list')).body.tags, []);
    const manifestDeleted = await latestEvent(world.root, groupEvents, 'container_registry_manifest_deleted');
    assert.equal(manifestDeleted.package.files[0].file_name, pushed.digest);
    assert.deepEqual(manifestDeleted.changes.tags, { from: ['1', 'also'], to: [] });
    const tagDeletes = await world.root.get(`${groupEvents}?event_name=container_registry_tag_deleted&per_page=10`);
    assert.deepEqual(tagDeletes.body.map((e: { package: { version: string } }) => e.package.version).sort(), ['1', 'also']);
  });

  it('uploads monolithically, in chunks and by cross-repository mount over plain HTTP', async () => {
    const name = 'acme/web-app/http';
    const whole = Buffer.from('monolithic bytes');
    await pushBlob(dev.api, name, whole);
    const head = await dev.api.request('HEAD', `/v2/${name}/blobs/${ociDigest(whole)}`);
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(whole.length));
    assert.equal(head.headers.get('docker-content-digest'), ociDigest(whole));

    const started = await dev.api.request('POST', `/v2/${name}/blobs/uploads/`);
    assert.equal(started.status, 202);
    let location = started.headers.get('location')!;
    const chunks = [Buffer.from('first chunk, '), Buffer.from('second chunk')];
    let offset = 0;
    for (const chunk of chunks) {
      const range = `${offset}-${offset + chunk.length - 1}`;
      const patched = await dev.api.request('PATCH', location, chunk, { 'content-type': 'application/octet-stream', 'content-range': range });
      assert.equal(patched.status, 202, patched.text);
      assert.equal(patched.headers.get('range'), `0-${offset + chunk.length - 1}`);
      location = patched.headers.get('location')!;
      offset += chunk.length;
    }
    const outOfOrder = await dev.api.request('PATCH', location, Buffer.from('x'), { 'content-type': 'application/octet-stream', 'content-range': '0-0' });
    assert.equal(outOfOrder.status, 416);
    const status = await dev.api.request('GET', location);
    assert.equal(status.status, 204);
    assert.equal(status.headers.get('range'), `0-${offset - 1}`);
    const chunked = Buffer.concat(chunks);
    const finished = await dev.api.request('PUT', `${location}?digest=${ociDigest(chunked)}`);
    assert.equal(finished.status, 201, finished.text);
    // The bodiless PUT (as skopeo closes every upload, pushes above included) stored no empty part.
    assert.equal(await blobStored(trove, ociDigest(Buffer.alloc(0)).slice('sha256:'.length)), false);
    const got = await dev.api.get(`/v2/${name}/blobs/${ociDigest(chunked)}`);
    assert.equal(got.text, chunked.toString());
    const part = await dev.api.get(`/v2/${name}/blobs/${ociDigest(chunked)}`, { range: 'bytes=6-10' });
    assert.equal(part.status, 206);
    assert.equal(part.text, chunked.subarray(6, 11).toString());
    assert.equal(part.headers.get('content-range'), `bytes 6-10/${chunked.length}`);
    assert.equal((await dev.api.get(`/v2/${name}/blobs/${ociDigest(chunked)}`, { range: `bytes=${chunked.length}-` })).status, 416);

    const mounted = await dev.api.request('POST', `/v2/acme/web-app/mounted/blobs/uploads/?mount=${ociDigest(chunked)}&from=${name}`);
    assert.equal(mounted.status, 201, mounted.text);
    assert.equal((await dev.api.request('HEAD', `/v2/acme/web-app/mounted/blobs/${ociDigest(chunked)}`)).status, 200);
    // A source the caller may not read (or that lacks the blob) gives a normal upload instead.
    await world.project('secret', (await world.group('hidden')).id);
    const notMounted = await dev.api.request('POST', `/v2/acme/web-app/mounted/blobs/uploads/?mount=${ociDigest('other')}&from=hidden/secret`);
    assert.equal(notMounted.status, 202);
  });

  it('refuses a digest that does not match the bytes and stores nothing under it', async () => {
    const name = 'acme/web-app/mismatch';
    const bytes = Buffer.from('these bytes');
    const claimed = ociDigest('other bytes');
    const monolithic = await dev.api.request('POST', `/v2/${name}/blobs/uploads/?digest=${claimed}`, bytes, { 'content-type': 'application/octet-stream' });
    assert.equal(monolithic.status, 400);
    assert.equal(monolithic.body.errors[0].code, 'DIGEST_INVALID');
    const started = await dev.api.request('POST', `/v2/${name}/blobs/uploads/`);
    const finished = await dev.api.request('PUT', `${started.headers.get('location')}?digest=${claimed}`, bytes, { 'content-type': 'application/octet-stream' });
    assert.equal(finished.status, 400);
    assert.equal(finished.body.errors[0].code, 'DIGEST_INVALID');
    for (const digest of [claimed, ociDigest(bytes)]) assert.equal((await dev.api.request('HEAD', `/v2/${name}/blobs/${digest}`)).status, 404);
    assert.equal(await blobStored(trove, claimed.slice('sha256:'.length)), false);
  });

  it('lists tags in pages, answers the referrers API and keeps the catalog for administrators', async () => {
    const name = 'acme/web-app/pages';
    const image = await pushSmallImage(dev.api, name, 'a', 'pages');
    for (const tag of ['b', 'c']) assert.equal((await dev.api.request('PUT', `/v2/${name}/manifests/${tag}`, image.bytes, { 'content-type': OCI_MANIFEST })).status, 201);
    const first = await dev.api.get(`/v2/${name}/tags/list?n=2`);
    assert.deepEqual(first.body, { name, tags: ['a', 'b'] });
    assert.equal(first.headers.get('link'), `</v2/${name}/tags/list?last=b&n=2>; rel="next"`);
    const rest = await dev.api.get(`/v2/${name}/tags/list?n=2&last=b`);
    assert.deepEqual(rest.body.tags, ['c']);
    assert.equal(rest.headers.get('link'), null);
    const none = await dev.api.get(`/v2/${name}/tags/list?n=0`);
    assert.deepEqual([none.status, none.body.tags, none.headers.get('link')], [200, [], null]);

    const subject = { mediaType: OCI_MANIFEST, digest: image.digest, size: image.bytes.length };
    const signature = await pushSmallImage(dev.api, name, null, 'signature', { artifactType: 'application/vnd.example.signature', subject });
    const sbom = await pushSmallImage(dev.api, name, null, 'sbom', { artifactType: 'application/spdx+json', subject });
    const all = await dev.api.get(`/v2/${name}/referrers/${image.digest}`);
    assert.equal(all.status, 200);
    assert.deepEqual(all.body.manifests.map((m: { digest: string }) => m.digest), [signature.digest, sbom.digest]);
    const filtered = await dev.api.get(`/v2/${name}/referrers/${image.digest}?artifactType=application/spdx%2Bjson`);
    assert.deepEqual(filtered.body.manifests.map((m: { digest: string }) => m.digest), [sbom.digest]);
    assert.equal(filtered.headers.get('oci-filters-applied'), 'artifactType');
    const withSubject = await dev.api.request('PUT', `/v2/${name}/manifests/${signature.digest}`, signature.bytes, { 'content-type': OCI_MANIFEST });
    assert.equal(withSubject.headers.get('oci-subject'), image.digest);

    assert.equal((await dev.api.get('/v2/_catalog')).status, 403);
    const catalog = await world.root.get('/v2/_catalog?n=1');
    assert.equal(catalog.body.repositories.length, 1);
    assert.match(catalog.headers.get('link') ?? '', /^<\/v2\/_catalog\?last=[^&]+&n=1>; rel="next"$/);
  });

  it('negotiates manifests by Accept, refuses invalid ones, and records pulls when download events are on', async () => {
    const name = 'acme/web-app/negotiated';
    const image = await pushSmallImage(dev.api, name, 'v1', 'negotiated');
    const head = await dev.api.request('HEAD', `/v2/${name}/manifests/v1`);
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-type'), OCI_MANIFEST);
    assert.equal(head.headers.get('docker-content-digest'), image.digest);
    assert.equal(head.headers.get('content-length'), String(image.bytes.length));
    // Node joins repeated Accept lines with ", ": the OCI type anywhere in the list is enough.
    const accepted = await dev.api.get(`/v2/${name}/manifests/v1`, { accept: `application/vnd.docker.distribution.manifest.v2+json, ${OCI_MANIFEST}` });
    assert.equal(accepted.status, 200);
    const refused = await dev.api.get(`/v2/${name}/manifests/v1`, { accept: 'application/vnd.docker.distribution.manifest.v2+json' });
    assert.equal(refused.status, 404);
    assert.equal(refused.body.errors[0].code, 'MANIFEST_UNKNOWN');
    const invalid = await dev.api.request('PUT', `/v2/${name}/manifests/bad`, '{"schemaVersion": 2', { 'content-type': OCI_MANIFEST });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.errors[0].code, 'MANIFEST_INVALID');
    const wrongDigest = await dev.api.request('PUT', `/v2/${name}/manifests/${ociDigest('x')}`, image.bytes, { 'content-type': OCI_MANIFEST });
    assert.equal(wrongDigest.body.errors[0].code, 'DIGEST_INVALID');

    assert.equal((await world.root.get(`${groupEvents}?event_name=container_registry_image_pulled`)).body.length, 0);
    await world.root.expect(200, 'PUT', `/api/v4/groups/${groupId}/packages/settings`, { package_download_events: 'enabled' });
    // The setting reaches a running server within 5 s (download-events.ts caches it): pull until a pull is recorded.
    const creds = `dev:${dev.token}`;
    const pulled = await waitFor('the image_pulled event', async () => {
      const inspected = await oci.skopeo(['inspect', '--tls-verify=false', '--creds', creds, `${registry}/${name}:v1`]);
      assert.equal(inspected.code, 0, inspected.stderr);
      return (await world.root.get(`${groupEvents}?event_name=container_registry_image_pulled`)).body[0];
    }, 120_000);
    assert.equal(pulled.package.version, 'v1');
    assert.equal(pulled.package.files[0].file_name, image.digest);
    assert.equal(pulled.client.name, 'skopeo');
  });

  it('records the pipeline of a push made with a CI job token', async () => {
    const job = await world.jobToken(projectId, { pipeline_id: 881, job_id: 4242, ref: 'main', sha: '3f2a1c9d8e7f', user_id: dev.id });
    const ci = new Api(trove.baseUrl, { 'job-token': job.token, 'user-agent': 'skopeo/1.9.3' });
    const image = await pushSmallImage(ci, 'acme/web-app/ci', 'main', 'from ci');
    const pushed = await latestEvent(world.root, groupEvents, 'container_registry_manifest_pushed');
    assert.equal(pushed.package.files[0].file_name, image.digest);
    assert.equal(pushed.via, 'pipeline');
    assert.equal(pushed.actor.type, 'job_token');
    assert.equal(pushed.pipeline.id, 881);
    assert.equal(pushed.pipeline.job_id, 4242);
  });

  it('takes a chunk sent with Transfer-Encoding: chunked', async () => {
    const name = 'acme/web-app/streamed';
    const started = await dev.api.request('POST', `/v2/${name}/blobs/uploads/`);
    const parts = [Buffer.from('streamed '), Buffer.from('without a length')];
    const res = await fetch(`${trove.baseUrl}${started.headers.get('location')}`, {
      method: 'PATCH',
      headers: { 'private-token': dev.token, 'content-type': 'application/octet-stream' },
      body: new ReadableStream({
        start(controller) {
          for (const part of parts) controller.enqueue(part);
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    assert.equal(res.status, 202);
    const whole = Buffer.concat(parts);
    const finished = await dev.api.request('PUT', `${res.headers.get('location')}?digest=${ociDigest(whole)}`);
    assert.equal(finished.status, 201, finished.text);
    assert.equal((await dev.api.get(`/v2/${name}/blobs/${ociDigest(whole)}`)).text, whole.toString());
  });

  it('answers /v2/ and private repositories without leaking them: 401 to anonymous, 404 to a stranger', async () => {
    const anonymous = new Api(trove.baseUrl, {});
    const version = await anonymous.get('/v2/');
    assert.equal(version.status, 401);
    assert.match(version.headers.get('www-authenticate') ?? '', /realm=/);
    assert.equal((await dev.api.get('/v2/')).headers.get('docker-distribution-api-version'), 'registry/2.0');
    const wrong = await new Api(trove.baseUrl, basic('not-a-token', 'dev')).get('/v2/acme/web-app/api/tags/list');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.errors[0].code, 'UNAUTHORIZED');
    assert.match(wrong.headers.get('www-authenticate') ?? '', /realm=/);

    const anonymousPull = await anonymous.get('/v2/acme/web-app/api/manifests/1.0');
    assert.equal(anonymousPull.status, 401);
    assert.equal(anonymousPull.body.errors[0].code, 'UNAUTHORIZED');
    assert.equal((await anonymous.get('/v2/nobody/nothing/manifests/1.0')).status, 401);
    const stranger = await world.user('stranger', ['read_registry']);
    for (const path of ['/v2/acme/web-app/api/manifests/1.0', '/v2/acme/web-app/api/tags/list', '/v2/nobody/nothing/tags/list']) {
      const res = await stranger.api.get(path);
      assert.equal(res.status, 404, path);
      assert.equal(res.body.errors[0].code, 'NAME_UNKNOWN', path);
    }
  });
});

const MAX_BLOB_BYTES = 512 * 1024;

describe('container registry: size limit and garbage collection of uploads and image blobs', () => {
  let trove: RunningTrove;
  let world: World;
  let dev: TestUser;

  before(async () => {
    trove = await startTrove({ env: { ...fastBlobGc(), TROVE_CONTAINER_MAX_BLOB_BYTES: String(MAX_BLOB_BYTES) } });
    world = new World(trove);
    const project = await world.project('app', (await world.group('gc')).id);
    dev = await world.user('gcdev', ['write_registry']);
    await world.addMember('projects', project.id, dev, DEVELOPER);
  });

  after(async () => {
    await trove?.stop();
  });

  it('refuses a blob over TROVE_CONTAINER_MAX_BLOB_BYTES, also when it arrives in chunks', async () => {
    const name = 'gc/app';
    const tooBig = Buffer.alloc(MAX_BLOB_BYTES + 1, 'x');
    const monolithic = await dev.api.request('POST', `/v2/${name}/blobs/uploads/?digest=${ociDigest(tooBig)}`, tooBig, { 'content-type': 'application/octet-stream' });
    assert.equal(monolithic.status, 413);
    const started = await dev.api.request('POST', `/v2/${name}/blobs/uploads/`);
    const half = tooBig.subarray(0, MAX_BLOB_BYTES / 2 + 1);
    const first = await dev.api.request('PATCH', started.headers.get('location')!, half, { 'content-type': 'application/octet-stream' });
    assert.equal(first.status, 202);
    const second = await dev.api.request('PATCH', first.headers.get('location')!, half, { 'content-type': 'application/octet-stream' });
    assert.equal(second.status, 413);
  });

  it('drops an abandoned upload and its bytes, and keeps every blob a manifest references', async () => {
    const name = 'gc/app';
    const image = await pushSmallImage(dev.api, name, 'kept', 'kept image');
    // Unlinked from the repository, the layer is still the manifest's: its bytes stay.
    assert.equal((await world.root.request('DELETE', `/v2/${name}/blobs/${image.layer.digest}`)).status, 202);
    assert.equal((await dev.api.request('HEAD', `/v2/${name}/blobs/${image.layer.digest}`)).status, 404);
    const started = await dev.api.request('POST', `/v2/${name}/blobs/uploads/`);
    const abandonedBytes = Buffer.alloc(300 * 1024, 'abandoned');
    const patched = await dev.api.request('PATCH', started.headers.get('location')!, abandonedBytes, { 'content-type': 'application/octet-stream' });
    assert.equal(patched.status, 202);
    const abandoned = ociDigest(abandonedBytes).slice('sha256:'.length);
    assert.equal(await blobStored(trove, abandoned), true);

    await blobsCollected(world.root);
    assert.equal(await blobStored(trove, abandoned), false);
    assert.equal((await dev.api.request('GET', started.headers.get('location')!)).status, 404);
    assert.equal(await blobStored(trove, image.layer.digest.slice('sha256:'.length)), true);
    const manifest = await dev.api.get(`/v2/${name}/manifests/kept`, { accept: OCI_MANIFEST });
    assert.equal(manifest.text, image.bytes.toString());
  });

  it('deletes a project together with its container repositories', async () => {
    const doomed = await world.project('doomed', (await world.group('gone')).id);
    await world.addMember('projects', doomed.id, dev, DEVELOPER);
    await pushSmallImage(dev.api, 'gone/doomed/img', 'x', 'doomed image');
    await world.root.expect(202, 'DELETE', `/api/v4/projects/${doomed.id}`);
    const res = await world.root.get('/v2/gone/doomed/img/tags/list');
    assert.equal(res.status, 404);
    assert.ok(!(await world.root.get('/v2/_catalog')).body.repositories.includes('gone/doomed/img'));
  });
});
