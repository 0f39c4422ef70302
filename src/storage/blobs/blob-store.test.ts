import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { startS3Server, S3RVER_CREDENTIALS } from '../../../test/support/s3-server.js';
import { isTroveError } from '../../core/errors.js';
import type { CollectableBlobStore, StoredBlob } from './blob-store.js';
import { FsBlobStore } from './fs/fs-blob-store.js';
import { S3BlobStore } from './s3/s3-blob-store.js';
import { tempDir } from '../../../test/support/temp-dir.js';

// One contract, every BlobStore: the folder store and the S3 store against a real
// S3-compatible server (s3rver on 127.0.0.1). `stored()` lists what the backend really holds
// (files below the folder, object keys in the bucket), tmp/ included, to prove nothing is left.

interface Backend {
  store: CollectableBlobStore;
  stored(): Promise<string[]>;
  close(): Promise<void>;
}

function filesBelow(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, prefix: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir)) {
      if (statSync(join(dir, entry)).isDirectory()) walk(join(dir, entry), `${prefix}${entry}/`);
      else out.push(`${prefix}${entry}`);
    }
  };
  walk(root, '');
  return out.sort();
}

const BACKENDS: { name: string; start(): Promise<Backend> }[] = [
  {
    name: 'FsBlobStore',
    async start() {
      const root = tempDir('trove-blobs-');
      return { store: new FsBlobStore(root), stored: async () => filesBelow(root), close: async () => {} };
    },
  },
  {
    name: 'S3BlobStore (s3rver)',
    async start() {
      const s3 = await startS3Server();
      const store = new S3BlobStore({ bucket: s3.bucket, prefix: '', endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: async () => S3RVER_CREDENTIALS });
      return {
        store,
        stored: () => s3.keys(),
        async close() {
          store.destroy();
          await s3.stop();
        },
      };
    },
  },
];

const MiB = 1024 * 1024;

/** Deterministic, incompressible-looking bytes: `size` bytes in 64 KiB chunks, seeded. */
function* pseudoRandomChunks(size: number, seed: number): Generator<Buffer> {
  let state = seed;
  for (let offset = 0; offset < size; offset += 64 * 1024) {
    const chunk = Buffer.alloc(64 * 1024);
    for (let i = 0; i < chunk.length; i += 4) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      chunk.writeUInt32LE(state, i);
    }
    yield chunk.subarray(0, Math.min(chunk.length, size - offset));
  }
}

async function* streamOf(size: number, seed: number, failAfter?: number): AsyncGenerator<Uint8Array> {
  let sent = 0;
  for (const chunk of pseudoRandomChunks(size, seed)) {
    if (failAfter !== undefined && sent >= failAfter) throw new Error('the client went away');
    sent += chunk.length;
    yield chunk;
  }
}

function digestsOf(chunks: Iterable<Buffer>) {
  const hashes = { sha256: createHash('sha256'), sha1: createHash('sha1'), md5: createHash('md5'), sha512: createHash('sha512') };
  let size = 0;
  for (const chunk of chunks) {
    size += chunk.length;
    for (const hash of Object.values(hashes)) hash.update(chunk);
  }
  return { sha256: hashes.sha256.digest('hex'), sha1: hashes.sha1.digest('hex'), md5: hashes.md5.digest('hex'), sha512: hashes.sha512.digest('hex'), size };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function layout(sha256: string): string {
  return `${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
}

const INVALID_KEYS = ['../../../etc/passwd', 'tmp/0a', 'A'.repeat(64), 'a'.repeat(63), `${'a'.repeat(64)}/..`, ''];

for (const { name, start } of BACKENDS) {
  describe(`BlobStore contract: ${name}`, () => {
    let backend: Backend;
    let store: CollectableBlobStore;
    before(async () => {
      backend = await start();
      store = backend.store;
    });
    after(() => backend.close());

    it('stores a small buffer under aa/bb/<sha256> with all four digests and its size', async () => {
      const data = Buffer.from('hello, trove\n');
      const blob = await store.put(data);
      assert.deepEqual(blob, digestsOf([data]));
      assert.deepEqual(await backend.stored(), [layout(blob.sha256)]);
      assert.deepEqual(await readAll(await store.open(blob.sha256)), data);
      await store.remove(blob.sha256);
    });

    it("computes the sha256 alone when asked (a container blob's digests) and stores the same bytes", async () => {
      const size = MiB + 7;
      const blob = await store.put(streamOf(size, 11), { digests: 'sha256' });
      const { sha256 } = digestsOf(pseudoRandomChunks(size, 11));
      assert.deepEqual(blob, { sha256, size });
      assert.equal(createHash('sha256').update(await readAll(await store.open(sha256))).digest('hex'), sha256);
      await store.remove(sha256);
    });

    it('stores an empty blob', async () => {
      const blob = await store.put(Buffer.alloc(0));
      assert.equal(blob.sha256, createHash('sha256').digest('hex'));
      assert.equal(blob.size, 0);
      assert.equal((await readAll(await store.open(blob.sha256))).length, 0);
      await store.remove(blob.sha256);
    });

    it('streams 21 MiB (several multipart parts on S3) with correct digests and reads the same bytes back', async () => {
      const size = 21 * MiB + 12345;
      const blob = await store.put(streamOf(size, 7));
      assert.deepEqual(blob, digestsOf(pseudoRandomChunks(size, 7)));
      assert.deepEqual(await backend.stored(), [layout(blob.sha256)]);
      const back = await readAll(await store.open(blob.sha256));
      assert.equal(back.length, size);
      assert.equal(createHash('sha256').update(back).digest('hex'), blob.sha256);
      // Its size known (from a row), the folder store reads it in larger pieces: the same bytes.
      assert.ok((await readAll(await store.open(blob.sha256, { size }))).equals(back));
      await store.remove(blob.sha256);
      assert.deepEqual(await backend.stored(), []);
    });

    it('stores identical content once, sequentially and concurrently', async () => {
      const size = 9 * MiB;
      const first = await store.put(streamOf(size, 11));
      const second = await store.put(streamOf(size, 11));
      assert.deepEqual(second, first);
      const [third, fourth] = await Promise.all([store.put(streamOf(size, 11)), store.put(Buffer.concat([...pseudoRandomChunks(size, 11)]))]);
      assert.deepEqual(third, first);
      assert.deepEqual(fourth, first);
      assert.deepEqual(await backend.stored(), [layout(first.sha256)]);
      assert.equal((await readAll(await store.open(first.sha256))).length, size);
      await store.remove(first.sha256);
    });

    it('accepts exactly maxBytes and refuses one byte more with 413, leaving nothing behind', async () => {
      const exact = await store.put(Buffer.alloc(1000, 1), { maxBytes: 1000 });
      assert.equal(exact.size, 1000);
      await store.remove(exact.sha256);
      await assert.rejects(store.put(Buffer.alloc(1001, 1), { maxBytes: 1000 }), (error) => isTroveError(error) && error.statusCode === 413);
      assert.deepEqual(await backend.stored(), []);
    });

    it('leaves nothing behind when the first chunk is already refused, however early that comes (300 times)', async () => {
      // The folder store opens its temporary file asynchronously: a refusal that comes before that
      // open finishes must not remove the file first and then let the open create it.
      for (let i = 0; i < 300; i++) {
        await assert.rejects(store.put(Buffer.alloc(1001, i % 256), { maxBytes: 1000 }), (error) => isTroveError(error) && error.statusCode === 413);
      }
      assert.deepEqual(await backend.stored(), []);
    });

    it('refuses a stream over maxBytes after several MiB were sent (413) and leaves nothing behind', async () => {
      const size = 20 * MiB;
      await assert.rejects(store.put(streamOf(size, 3), { maxBytes: 18 * MiB }), (error) => isTroveError(error) && error.statusCode === 413);
      assert.deepEqual(await backend.stored(), []);
      assert.equal(await store.exists(digestsOf(pseudoRandomChunks(size, 3)).sha256), false);
    });

    it('reports a source stream that fails mid-way (small and after multipart parts were sent) and leaves nothing behind', async () => {
      for (const failAfter of [64 * 1024, 17 * MiB]) {
        await assert.rejects(store.put(streamOf(30 * MiB, 5, failAfter)), /the client went away/);
        assert.deepEqual(await backend.stored(), [], `after failing at ${failAfter} bytes`);
      }
    });

    it('exists, remove and open follow the blob; remove of an absent blob is a no-op', async () => {
      const blob = await store.put(Buffer.from('short-lived'));
      assert.equal(await store.exists(blob.sha256), true);
      await store.remove(blob.sha256);
      assert.equal(await store.exists(blob.sha256), false);
      await assert.rejects(store.open(blob.sha256));
      await store.remove(blob.sha256);
      assert.deepEqual(await backend.stored(), []);
    });

    it('calls beforePlace with the digests before the bytes reach their address; when it fails, nothing is stored', async () => {
      const data = Buffer.from('placed after registration');
      let seen: { blob: StoredBlob; existed: boolean } | undefined;
      const blob = await store.put(data, { beforePlace: async (b) => void (seen = { blob: b, existed: await store.exists(b.sha256) }) });
      assert.deepEqual(seen, { blob: digestsOf([data]), existed: false });
      assert.equal(await store.exists(blob.sha256), true);
      await store.remove(blob.sha256);
      await assert.rejects(store.put(streamOf(MiB, 9), { beforePlace: async () => Promise.reject(new Error('registration failed')) }), /registration failed/);
      assert.deepEqual(await backend.stored(), []);
    });

    it('lists every blob, and removes temporary files only when they are older than asked', async () => {
      const blobs = [await store.put(Buffer.from('one')), await store.put(streamOf(MiB, 13))];
      const listed: string[] = [];
      for await (const sha256 of store.list()) listed.push(sha256);
      assert.deepEqual(listed.sort(), blobs.map((b) => b.sha256).sort());
      // An upload held just before its bytes are placed: its temporary file exists.
      let release!: () => void;
      let held!: () => void;
      const holding = new Promise<void>((resolve) => (held = resolve));
      const upload = store.put(streamOf(MiB, 17), { beforePlace: () => (held(), new Promise<void>((resolve) => (release = resolve))) });
      await holding;
      assert.equal((await backend.stored()).filter((key) => key.startsWith('tmp/')).length, 1);
      assert.equal(await store.removeTemporaries(new Date(Date.now() - 60_000)), 0, 'a recent temporary file is kept');
      assert.equal(await store.removeTemporaries(new Date(Date.now() + 60_000)), 1);
      assert.deepEqual((await backend.stored()).filter((key) => key.startsWith('tmp/')), []);
      release();
      await assert.rejects(upload, 'an upload whose temporary file was taken fails');
      for (const blob of blobs) await store.remove(blob.sha256);
      assert.deepEqual(await backend.stored(), []);
    });

    it('refuses every key that is not a lowercase sha256 hex digest', async () => {
      for (const key of INVALID_KEYS) {
        await assert.rejects(store.open(key), /invalid blob key/, `open ${key}`);
        await assert.rejects(store.exists(key), /invalid blob key/, `exists ${key}`);
        await assert.rejects(store.remove(key), /invalid blob key/, `remove ${key}`);
      }
    });
  });
}
