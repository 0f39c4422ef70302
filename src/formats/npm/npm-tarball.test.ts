import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { makeTarball, packageTarball } from '../../../test/support/npm-publish-body.js';
import { readTarballManifest } from './npm-tarball.js';

// Small tarballs are inflated in one call, large ones (or small ones that unpack to more than a
// megabyte) are streamed: both ways must give the same manifest and enforce the same limits.

const MB = 1024 * 1024;
const manifestOf = { name: 'big', version: '1.0.0' };

async function tarballWith(data: string | Buffer): Promise<Buffer> {
  return makeTarball([
    { name: 'package/package.json', content: JSON.stringify(manifestOf) },
    { name: 'package/data.bin', content: data as string },
  ]);
}

describe('readTarballManifest', () => {
  it('reads a small tarball (inflated at once)', async () => {
    assert.deepEqual(await readTarballManifest(await packageTarball('small', '1.2.3'), 100 * MB), { name: 'small', version: '1.2.3', main: 'index.js' });
  });

  it('reads a tarball over a megabyte compressed (streamed)', async () => {
    const tarball = await tarballWith(randomBytes(2 * MB));
    assert.ok(tarball.length > MB);
    assert.deepEqual(await readTarballManifest(tarball, 100 * MB), manifestOf);
  });

  it('reads a small tarball that unpacks to several megabytes (falls back to streaming)', async () => {
    const tarball = await tarballWith(Buffer.alloc(5 * MB, 'a'));
    assert.ok(tarball.length < 64 * 1024);
    assert.deepEqual(await readTarballManifest(tarball, 100 * MB), manifestOf);
  });

  it('refuses to unpack more than the limit, both ways', async () => {
    const bomb = await tarballWith(Buffer.alloc(5 * MB, 'a'));
    await assert.rejects(readTarballManifest(bomb, 100_000), { statusCode: 413, message: /unpacks to more than 100000 bytes/ });
    await assert.rejects(readTarballManifest(bomb, 2 * MB), { statusCode: 413, message: /unpacks to more than 2097152 bytes/ });
  });

  it('refuses a truncated or non-gzip tarball, both ways', async () => {
    const small = await packageTarball('small', '1.0.0');
    await assert.rejects(readTarballManifest(small.subarray(0, small.length - 10), 100 * MB), { statusCode: 400, message: /not a valid gzipped tar/ });
    await assert.rejects(readTarballManifest(Buffer.from('not gzip at all'), 100 * MB), { statusCode: 400, message: /not a valid gzipped tar/ });
    const large = await tarballWith(randomBytes(2 * MB));
    await assert.rejects(readTarballManifest(large.subarray(0, large.length - 10), 100 * MB), { statusCode: 400, message: /not a valid gzipped tar/ });
  });

  it('refuses a tar whose content is cut short inside a valid gzip stream', async () => {
    const tar = gunzipSync(await makeTarball([{ name: 'package/package.json', content: JSON.stringify(manifestOf) }]));
    const cut = gzipSync(tar.subarray(0, 520)); // the header and a few bytes of package.json
    await assert.rejects(readTarballManifest(cut, 100 * MB), { statusCode: 400, message: /not a valid gzipped tar/ });
  });

  it('refuses links, both ways', async () => {
    const entries = [
      { name: 'package/package.json', content: JSON.stringify(manifestOf) },
      { name: 'package/evil', type: 'symlink' as const, linkname: '/etc/passwd' },
    ];
    await assert.rejects(readTarballManifest(await makeTarball(entries), 100 * MB), { statusCode: 400, message: /links and special files are not allowed/ });
    const large = await makeTarball([{ name: 'package/data.bin', content: randomBytes(2 * MB) as unknown as string }, ...entries]);
    await assert.rejects(readTarballManifest(large, 100 * MB), { statusCode: 400, message: /links and special files are not allowed/ });
  });
});
