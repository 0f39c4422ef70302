import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { NPM_UA } from '../support/audit-e2e.js';
import { appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { blobFiles, curl, rssDuring, sha256File, uploadBeforeReading } from '../support/generic-curl.js';
import { packageTarball, publishBody } from '../support/npm-publish-body.js';
import { startS3Server, type RunningS3 } from '../support/s3-server.js';
import { startTrove, tempDir, type RunningTrove } from '../support/trove-process.js';
import { blobsCollected, fastBlobGc } from '../support/background-jobs.js';
import { World } from '../support/world.js';
import { imageManifest, OCI_MANIFEST, pushBlob } from '../support/oci-workspace.js';

// Trove with TROVE_BLOB_STORE=s3://... against a real S3-compatible server (s3rver on
// 127.0.0.1): package files go to the bucket (below the prefix), come back byte-identical,
// leave with their package, and the local blob folder is never used.

const PREFIX = 'trove-blobs';
const MiB = 1024 * 1024;
const LIMIT = 208 * MiB;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const objectKey = (digest: string) => `${PREFIX}/${digest.slice(0, 2)}/${digest.slice(2, 4)}/${digest}`;

describe('S3 blob store (s3rver)', () => {
  let s3: RunningS3;
  let trove: RunningTrove;
  let world: World;
  let project: { id: number };
  const npmTarball: { bytes: Buffer; digest: string } = { bytes: Buffer.alloc(0), digest: '' };
  const genericFile = { bytes: randomBytes(12 * MiB + 777), digest: '' };
  const files = tempDir('trove-s3-files-');

  const objectExists = async (key: string) => {
    try {
      await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key }));
      return true;
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
      throw error;
    }
  };
  const packageId = async (name: string, version: string): Promise<number> => {
    const found = await world.root.expect(200, 'GET', `/api/v4/projects/${project.id}/packages?package_name=${name}&package_version=${version}`);
    assert.equal(found.length, 1, `${name}@${version}`);
    return found[0].id;
  };
  const genericUrl = (file: string) => `${trove.baseUrl}/api/v4/projects/${project.id}/packages/generic/tool/1.0.0/${file}`;

  before(async () => {
    s3 = await startS3Server();
    trove = await startTrove({ env: { ...s3.troveEnv(PREFIX), TROVE_GENERIC_MAX_UPLOAD_BYTES: String(LIMIT), ...fastBlobGc() } });
    world = new World(trove);
    const group = await world.group('acme');
    project = await world.project('web-app', group.id);
  });

  after(async () => {
    await trove?.stop();
    await s3?.stop();
    rmSync(files, { recursive: true, force: true });
  });

  it('stores an npm publish in the bucket and serves the tarball byte-identically', async () => {
    npmTarball.bytes = await packageTarball('s3-lib', '1.0.0');
    npmTarball.digest = sha256(npmTarball.bytes);
    const res = await world.root.request('PUT', `/api/v4/projects/${project.id}/packages/npm/s3-lib`, publishBody('s3-lib', '1.0.0', npmTarball.bytes), { 'user-agent': NPM_UA });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(await s3.keys(), [objectKey(npmTarball.digest)]);

    const packument = await world.root.expect(200, 'GET', `/api/v4/projects/${project.id}/packages/npm/s3-lib`);
    const download = await fetch(packument.versions['1.0.0'].dist.tarball, { headers: world.root.auth });
    assert.equal(download.status, 200);
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), npmTarball.bytes);
  });

  it('streams a multi-part generic upload into the bucket and serves it byte-identically', async () => {
    genericFile.digest = sha256(genericFile.bytes);
    const up = await fetch(genericUrl('tool.bin'), { method: 'PUT', headers: { ...world.root.auth, 'user-agent': 'curl/8.5.0' }, body: genericFile.bytes });
    assert.equal(up.status, 201, await up.text());
    assert.deepEqual(await s3.keys(), [objectKey(npmTarball.digest), objectKey(genericFile.digest)].sort());

    const down = await fetch(genericUrl('tool.bin'), { headers: world.root.auth });
    assert.equal(down.status, 200);
    assert.equal(down.headers.get('etag'), `"${genericFile.digest}"`);
    const bytes = Buffer.from(await down.arrayBuffer());
    assert.equal(bytes.length, genericFile.bytes.length);
    assert.equal(sha256(bytes), genericFile.digest);
  });

  it('streams a 200 MiB upload to the bucket without holding it in memory', async () => {
    const file = join(files, 'big.bin');
    for (let i = 0; i < 200; i++) appendFileSync(file, randomBytes(MiB));
    const pid = trove.process.pid!;
    const { result: upload, baseline, peak } = await rssDuring(pid, () => curl(['--fail-with-body', '-H', `PRIVATE-TOKEN: ${trove.rootToken}`, '--upload-file', file, genericUrl('big.bin')]));
    assert.equal(upload.status, 201, upload.body);
    const growth = peak - baseline;
    assert.ok(growth < 100 * MiB, `server RSS grew by ${Math.round(growth / MiB)} MiB during a 200 MiB upload`);
    const digest = await sha256File(file);
    assert.ok((await s3.keys()).includes(objectKey(digest)));
    const out = `${file}.out`;
    assert.equal((await curl(['--fail', '-H', `PRIVATE-TOKEN: ${trove.rootToken}`, '-o', out, genericUrl('big.bin')])).code, 0);
    assert.equal(await sha256File(out), digest);
  });

  it('refuses a chunked upload over the limit with 413 and leaves nothing in the bucket', async () => {
    const before = await s3.keys();
    const statusLine = await uploadBeforeReading(trove.port, `/api/v4/projects/${project.id}/packages/generic/tool/1.0.0/huge.bin`, { 'PRIVATE-TOKEN': trove.rootToken }, 215);
    assert.match(statusLine, /^HTTP\/1\.1 413 /);
    assert.deepEqual(await s3.keys(), before, 'no temporary or final object may be left');
  });

  it('the collector deletes the objects from the bucket once the packages are deleted through the API', async () => {
    const npmId = await packageId('s3-lib', '1.0.0');
    assert.equal((await world.root.delete(`/api/v4/projects/${project.id}/packages/${npmId}`)).status, 204);
    await blobsCollected(world.root);
    assert.equal(await objectExists(objectKey(npmTarball.digest)), false, 'the npm tarball is still in the bucket');
    assert.equal(await objectExists(objectKey(genericFile.digest)), true, 'the generic file went with the npm package');

    const genericId = await packageId('tool', '1.0.0');
    assert.equal((await world.root.delete(`/api/v4/projects/${project.id}/packages/${genericId}`)).status, 204);
    await blobsCollected(world.root);
    assert.equal(await objectExists(objectKey(genericFile.digest)), false, 'the generic file is still in the bucket');
    assert.deepEqual(await s3.keys(), []);
  });

  it('stores container image layers (a chunked upload too) and manifests in the bucket, and serves them byte-identically', async () => {
    const layer = randomBytes(6 * MiB + 123);
    const name = 'acme/web-app/api';
    const started = await world.root.request('POST', `/v2/${name}/blobs/uploads/`);
    assert.equal(started.status, 202, started.text);
    let location = new URL(started.headers.get('location')!, trove.baseUrl).toString();
    const half = Math.floor(layer.length / 2);
    for (const [from, to] of [[0, half], [half, layer.length]] as const) {
      const chunk = await fetch(location, { method: 'PATCH', headers: { ...world.root.auth, 'content-type': 'application/octet-stream', 'content-range': `${from}-${to - 1}` }, body: layer.subarray(from, to) });
      assert.equal(chunk.status, 202, await chunk.text());
      location = new URL(chunk.headers.get('location')!, trove.baseUrl).toString();
    }
    const layerDigest = `sha256:${sha256(layer)}`;
    const done = await fetch(`${location}${location.includes('?') ? '&' : '?'}digest=${layerDigest}`, { method: 'PUT', headers: world.root.auth });
    assert.equal(done.status, 201, await done.text());
    const config = await pushBlob(world.root, name, Buffer.from('{"architecture":"amd64","os":"linux"}'), 'application/vnd.oci.image.config.v1+json');
    const manifest = imageManifest(config, [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length }]);
    assert.equal((await world.root.request('PUT', `/v2/${name}/manifests/1.0`, manifest, { 'content-type': OCI_MANIFEST })).status, 201);

    assert.ok(await objectExists(objectKey(sha256(layer))), 'the layer is an object of the bucket');
    assert.ok(await objectExists(objectKey(sha256(manifest))), 'the manifest too');
    const pulled = await fetch(`${trove.baseUrl}/v2/${name}/blobs/${layerDigest}`, { headers: world.root.auth });
    assert.equal(pulled.status, 200);
    assert.deepEqual(Buffer.from(await pulled.arrayBuffer()), layer);
    const byTag = await fetch(`${trove.baseUrl}/v2/${name}/manifests/1.0`, { headers: { ...world.root.auth, accept: OCI_MANIFEST } });
    assert.deepEqual(Buffer.from(await byTag.arrayBuffer()), manifest);
  });

  it('never writes to the local blob folder', () => {
    assert.deepEqual(blobFiles(trove.dataDir), []);
  });
});

describe('S3 blob store: start-up checks', () => {
  let s3: RunningS3;
  before(async () => {
    s3 = await startS3Server();
  });
  after(() => s3.stop());

  it('refuses to start when the bucket does not exist, naming it, and prints no secret', async () => {
    const secret = 'secret-that-must-never-be-printed';
    const env: Record<string, string> = { ...s3.troveEnv(), AWS_SECRET_ACCESS_KEY: secret };
    env.TROVE_BLOB_STORE = env.TROVE_BLOB_STORE.replace(`s3://${s3.bucket}`, 's3://missing-bucket');
    await assert.rejects(startTrove({ env }), (error: Error) => {
      assert.match(error.message, /^trove exited with 1:/);
      assert.ok(error.message.includes(`TROVE_BLOB_STORE: cannot use bucket "missing-bucket" at ${s3.endpoint}: the bucket does not exist`), error.message);
      assert.ok(!error.message.includes(secret), 'the secret key was printed');
      return true;
    });
  });

  it('refuses to start without credentials, as a configuration error', async () => {
    const env = { ...s3.troveEnv(), AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' };
    await assert.rejects(startTrove({ env }), (error: Error) => {
      assert.match(error.message, /^trove exited with 2:/);
      assert.match(error.message, /configuration error: TROVE_BLOB_STORE is an s3:\/\/ store: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
      return true;
    });
  });
});
