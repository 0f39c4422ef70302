import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { blobFiles } from '../support/generic-curl.js';
import { packageTarball, publishBody } from '../support/npm-publish-body.js';
import { storedBlobs } from '../support/stored-blobs.js';
import { startTrove, tempDir, type RunningTrove } from '../support/trove-process.js';
import { World } from '../support/world.js';

// Where an npm tarball's bytes go (src/storage/blobs/inline-blob-store.ts): up to
// TROVE_INLINE_BLOB_MAX_KB (256 by default with the blob folder) into the database with the file
// row, larger ones and every file when it is 0 into the blob folder. Either way the tarball
// downloads byte-identically, also after a restart (nothing served from the memory cache).

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('small package files kept in the database', () => {
  const started: RunningTrove[] = [];
  after(async () => {
    for (const trove of started) await trove.stop();
  });

  async function registry(env: Record<string, string> = {}, dataDir?: string) {
    const trove = await startTrove({ env, dataDir });
    started.push(trove);
    const world = new World(trove);
    const group = await world.group(`g${started.length}`);
    const project = await world.project('lib', group.id);
    const npm = (rest: string) => `${trove.baseUrl}/api/v4/projects/${project.id}/packages/npm/${rest}`;
    return { trove, world, npm };
  }

  async function publishAndFetch(r: Awaited<ReturnType<typeof registry>>, name: string, tarball: Buffer) {
    const res = await r.world.root.put(r.npm(name).slice(r.trove.baseUrl.length), publishBody(name, '1.0.0', tarball));
    assert.equal(res.status, 200, res.text);
    return download(r.trove, r.npm(`${name}/-/${name}-1.0.0.tgz`));
  }

  async function download(trove: RunningTrove, url: string): Promise<Buffer> {
    const res = await fetch(url, { headers: { 'PRIVATE-TOKEN': trove.rootToken } });
    assert.equal(res.status, 200);
    return Buffer.from(await res.arrayBuffer());
  }

  it('keeps a small tarball in the database, not the blob folder, and serves it after a restart', async () => {
    const dataDir = join(tempDir(), 'data');
    const first = await registry({}, dataDir);
    const tarball = await packageTarball('small', '1.0.0');
    assert.deepEqual(await publishAndFetch(first, 'small', tarball), tarball);
    assert.ok((await storedBlobs(first.trove)).includes(sha256(tarball)));
    assert.deepEqual(blobFiles(dataDir).filter((f) => !f.startsWith('tmp/')), [], 'no file in the blob folder');

    const path = first.npm('small/-/small-1.0.0.tgz').slice(first.trove.baseUrl.length);
    await first.trove.stop();
    started.splice(started.indexOf(first.trove), 1);
    const env: Record<string, string> = { TROVE_ROOT_TOKEN: first.trove.rootToken };
    if (first.trove.databaseUrl) env.TROVE_DATABASE_URL = first.trove.databaseUrl; // the PostgreSQL run
    const again = await startTrove({ dataDir, env });
    started.push(again);
    assert.deepEqual(await download(again, `${again.baseUrl}${path}`), tarball);
  });

  it('writes tarballs above the limit, and every tarball when it is 0, to the blob folder', async () => {
    const small = await registry({ TROVE_INLINE_BLOB_MAX_KB: '1' });
    const big = await packageTarball('big', '1.0.0', [{ name: 'package/data.txt', content: randomBytes(4096).toString('base64') }]);
    assert.ok(big.length > 1024);
    assert.deepEqual(await publishAndFetch(small, 'big', big), big);
    assert.ok(blobFiles(small.trove.dataDir).some((f) => f.endsWith(sha256(big))));

    const off = await registry({ TROVE_INLINE_BLOB_MAX_KB: '0' });
    const tiny = await packageTarball('tiny', '1.0.0');
    assert.deepEqual(await publishAndFetch(off, 'tiny', tiny), tiny);
    assert.ok(blobFiles(off.trove.dataDir).some((f) => f.endsWith(sha256(tiny))));
  });
});
