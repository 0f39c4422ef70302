import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { tempDir } from '../../../test/support/temp-dir.js';
import { CACHED_FILE_MAX_BYTES, CachedBlobStore } from './cached-blob-store.js';
import { FsBlobStore } from './fs/fs-blob-store.js';

// The cache in front of a real folder store: small files come from memory after their first
// read (proved by deleting the file underneath), large ones always stream, memory stays bounded.

const root = tempDir('trove-blob-cache-');
const bytesOf = (n: number, fill: number) => Buffer.alloc(n, fill);

describe('CachedBlobStore', () => {
  it('serves a small file from memory after its first read, as the same bytes', async () => {
    const disk = new FsBlobStore(join(root, 'a'));
    const cache = new CachedBlobStore(disk, 1024 * 1024);
    const blob = await cache.put(bytesOf(1000, 1));
    const first = await cache.openForDownload(blob.sha256, blob.size);
    assert.ok(Buffer.isBuffer(first));
    assert.deepEqual(first, bytesOf(1000, 1));
    await disk.remove(blob.sha256); // behind the cache's back: only memory can answer now
    assert.deepEqual(await cache.openForDownload(blob.sha256, blob.size), bytesOf(1000, 1));
  });

  it('streams files above the size limit and never keeps them', async () => {
    const disk = new FsBlobStore(join(root, 'b'));
    const cache = new CachedBlobStore(disk, 64 * 1024 * 1024);
    const blob = await cache.put(bytesOf(CACHED_FILE_MAX_BYTES + 1, 2));
    const body = await cache.openForDownload(blob.sha256, blob.size);
    assert.ok(body instanceof Readable);
    body.destroy();
    await disk.remove(blob.sha256);
    await assert.rejects(async () => (await cache.openForDownload(blob.sha256, blob.size) as Readable).read());
  });

  it('evicts the least recently used file to stay within its bytes, and on remove()', async () => {
    const disk = new FsBlobStore(join(root, 'c'));
    const cache = new CachedBlobStore(disk, 2500);
    const [a, b, c] = [await cache.put(bytesOf(1000, 3)), await cache.put(bytesOf(1000, 4)), await cache.put(bytesOf(1000, 5))];
    await cache.openForDownload(a.sha256, a.size);
    await cache.openForDownload(b.sha256, b.size);
    await cache.openForDownload(a.sha256, a.size); // a is now the most recently used
    await cache.openForDownload(c.sha256, c.size); // 3000 bytes > 2500: b goes
    await disk.remove(a.sha256);
    await disk.remove(b.sha256);
    assert.deepEqual(await cache.openForDownload(a.sha256, a.size), bytesOf(1000, 3), 'a stayed in memory');
    await assert.rejects(cache.openForDownload(b.sha256, b.size), 'b was evicted and is gone from disk');
    await cache.remove(c.sha256);
    await assert.rejects(cache.openForDownload(c.sha256, c.size), 'remove() evicts too');
  });

  it('refuses a blob whose size differs from its file row, and caches nothing when off', async () => {
    const disk = new FsBlobStore(join(root, 'd'));
    const blob = await disk.put(bytesOf(100, 6));
    await assert.rejects(new CachedBlobStore(disk, 1024).openForDownload(blob.sha256, 99), /has 100 bytes/);
    const off = new CachedBlobStore(disk, 0);
    assert.ok((await off.openForDownload(blob.sha256, blob.size)) instanceof Readable);
  });
});
