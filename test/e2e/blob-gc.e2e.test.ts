import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Api } from '../support/api.js';
import { blobsCollected, fastBlobGc, waitForJobRun } from '../support/background-jobs.js';
import { sha256, tmpBlobFiles } from '../support/generic-curl.js';
import { packageTarball, publishBody } from '../support/npm-publish-body.js';
import { storedBlobs } from '../support/stored-blobs.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World } from '../support/world.js';

// Blobs are shared by every file with the same bytes, across projects. Deleting a package only
// marks it deleted, and purging it (after the restore window, TEST_RESTORE_SECONDS here) only
// deletes rows; the blob garbage collector (src/core/packages/blob-gc.ts) removes a blob once no
// file row and no upload in progress has needed it for TROVE_BLOB_GC_GRACE_SECONDS. Here uploads
// of identical bytes race deletes of packages holding those bytes in another project, hundreds of
// times, generic (streamed to the blob folder) and npm (kept in the database); every upload that
// was acknowledged must download byte-identical, before and after the collector has run.

const GC_JOB = 'blob-gc';
const GRACE_SECONDS = 5;
const ROUNDS = 240;
const IN_FLIGHT = 8;
/** A round re-uploads the bytes an earlier round left unreferenced: by then the collector may be deleting them. */
const REVIVE_AFTER_ROUNDS = 40;

interface Upload {
  label: string;
  status: number;
  bytes: Buffer;
  download: string;
}

async function inParallel(count: number, limit: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

describe('blob garbage collection: uploads racing deletes of the same bytes', () => {
  let trove: RunningTrove;
  let world: World;
  let mine: number;
  let theirs: number;
  const uploads: Upload[] = [];

  before(async () => {
    trove = await startTrove({
      env: { ...fastBlobGc(), TROVE_BLOB_GC_GRACE_SECONDS: String(GRACE_SECONDS) },
    });
    world = new World(trove);
    mine = (await world.project('mine', (await world.group('alpha')).id)).id;
    theirs = (await world.project('theirs', (await world.group('beta')).id)).id;
  });

  after(async () => {
    await trove?.stop();
  });

  const generic = (project: number, name: string) => `/api/v4/projects/${project}/packages/generic/${name}/1.0.0/file.bin`;
  const npm = (project: number, rest: string) => `/api/v4/projects/${project}/packages/npm/${rest}`;

  async function putGeneric(project: number, name: string, bytes: Buffer): Promise<Upload> {
    const path = generic(project, name);
    const res = await world.root.request('PUT', path, bytes, { 'content-type': 'application/octet-stream' });
    return { label: `generic ${name} -> ${project}`, status: res.status, bytes, download: path };
  }

  async function publishNpm(project: number, name: string, tarball: Buffer): Promise<Upload> {
    const res = await world.root.put(npm(project, name), publishBody(name, '1.0.0', tarball));
    return { label: `npm ${name} -> ${project}`, status: res.status, bytes: tarball, download: npm(project, `${name}/-/${name}-1.0.0.tgz`) };
  }

  async function deletePackage(api: Api, project: number, format: string, name: string): Promise<void> {
    const list = await api.expect(200, 'GET', `/api/v4/projects/${project}/packages?package_type=${format}&package_name=${name}`);
    const pkg = list.find((p: { name: string }) => p.name === name);
    assert.ok(pkg, `${format} ${name} in project ${project}`);
    await api.expect(204, 'DELETE', `/api/v4/projects/${project}/packages/${pkg.id}`);
  }

  /** Publishes `bytes` to the other project, then deletes it there while uploading the same bytes here. */
  async function race(format: 'generic' | 'npm', name: string, bytes: Buffer): Promise<void> {
    const put = format === 'generic' ? putGeneric : publishNpm;
    const first = await put(theirs, name, bytes);
    assert.ok(first.status < 300, `${first.label}: ${first.status}`);
    const [upload] = await Promise.all([put(mine, name, bytes), deletePackage(world.root, theirs, format, name)]);
    uploads.push(upload);
  }

  async function round(index: number, garbage: Buffer[]): Promise<void> {
    if (index % 2 === 0) {
      await race('generic', `g${index}`, randomBytes(2048 + index));
    } else {
      const name = `n${index}`;
      await race('npm', name, await packageTarball(name, '1.0.0', [{ name: 'package/data.txt', content: randomBytes(512).toString('hex') }]));
    }
    // Bytes nobody needs any more (uploaded, then deleted), revived by a later round.
    const junk = randomBytes(1024 + index);
    assert.ok((await putGeneric(theirs, `junk${index}`, junk)).status < 300);
    await deletePackage(world.root, theirs, 'generic', `junk${index}`);
    garbage[index] = junk;
    if (index >= REVIVE_AFTER_ROUNDS) uploads.push(await putGeneric(mine, `revived${index}`, garbage[index - REVIVE_AFTER_ROUNDS]));
  }

  /** Every acknowledged upload, downloaded now: the labels of those that are not byte-identical. */
  async function lost(): Promise<string[]> {
    const broken: string[] = [];
    for (const upload of uploads.filter((u) => u.status < 300)) {
      const res = await fetch(`${trove.baseUrl}${upload.download}`, { headers: { 'PRIVATE-TOKEN': trove.rootToken } });
      const body = Buffer.from(await res.arrayBuffer());
      if (res.status !== 200 || !body.equals(upload.bytes)) broken.push(`${upload.label}: ${res.status}`);
    }
    return broken;
  }

  it(`keeps every acknowledged upload downloadable through ${ROUNDS} races, then collects only the unreferenced blobs`, async () => {
    const garbage: Buffer[] = [];
    await inParallel(ROUNDS, IN_FLIGHT, (index) => round(index, garbage));

    const acknowledged = uploads.filter((u) => u.status < 300);
    const refused = uploads.filter((u) => u.status >= 300).map((u) => `${u.label}: ${u.status}`);
    // Every upload has its own package name: nothing here is a conflict.
    assert.deepEqual(refused, [], 'uploads refused');
    const broken = await lost();
    assert.deepEqual(broken, [], `${broken.length} of ${acknowledged.length} acknowledged uploads lost their bytes`);

    await blobsCollected(world.root, GRACE_SECONDS);
    assert.deepEqual(await lost(), [], 'acknowledged uploads lost their bytes to the collector');
    const expected = [...new Set(acknowledged.map((u) => sha256(u.bytes)))].sort();
    assert.deepEqual(await storedBlobs(trove), expected, 'exactly the blobs of the files that exist are kept');
    assert.deepEqual(tmpBlobFiles(trove.dataDir), []);
  });
});

describe('blob garbage collection: temporary files left by crashed uploads', () => {
  let trove: RunningTrove;

  before(async () => {
    // The default grace period (an hour), collected every half second.
    trove = await startTrove({ env: { TROVE_JOB_LEASE_SECONDS: '2', TROVE_JOB_INTERVALS: `${GC_JOB}=500ms` } });
  });

  after(async () => {
    await trove?.stop();
  });

  it('removes temporary files older than the grace period and keeps younger ones', async () => {
    const tmp = join(trove.dataDir, 'blobs', 'tmp');
    mkdirSync(tmp, { recursive: true });
    const now = Date.now() / 1000;
    const files = { crashed: now - 2 * 3600, 'crashed-yesterday': now - 86_400, 'still-writing': now - 30 * 60 };
    for (const [name, mtime] of Object.entries(files)) {
      writeFileSync(join(tmp, name), randomBytes(100));
      utimesSync(join(tmp, name), mtime, mtime);
    }
    const world = new World(trove);
    await waitForJobRun(world.root, GC_JOB, Date.now());
    assert.deepEqual(tmpBlobFiles(trove.dataDir), ['tmp/still-writing']);
  });
});
