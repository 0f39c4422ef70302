import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../../../test/support/temp-dir.js';
import { freshDatabaseUrl } from '../../../test/support/test-database.js';
import { migrateToLatest, openDatabase, type Db } from '../db/database.js';
import { FsBlobStore } from './fs/fs-blob-store.js';
import { INLINE_BLOB_MAX_KB_LIMIT, InlineBlobStore, isInlineBlob, storeInlineBlob } from './inline-blob-store.js';

// The inline store over a real folder store and a real database (SQLite, or PostgreSQL on the
// PostgreSQL run): small Buffers are kept in the database only once a transaction stores them,
// everything else goes to the folder, and reads and removes find both.

const collect = async (stream: AsyncIterable<Uint8Array>) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
};
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('InlineBlobStore', () => {
  let db: Db;
  let folder: string;
  let blobs: InlineBlobStore;
  const filesInFolder = () => (!existsSync(folder) ? [] : readdirSync(folder, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name));

  before(async () => {
    const dir = tempDir('trove-inline-blobs-');
    db = openDatabase({ sqliteFile: join(dir, 'trove.db'), postgresUrl: await freshDatabaseUrl() });
    await migrateToLatest(db);
    folder = join(dir, 'blobs');
    blobs = new InlineBlobStore(new FsBlobStore(folder), db, 1024);
  });

  after(async () => {
    await db?.destroy();
  });

  it('keeps a small Buffer for the transaction: nothing is stored until storeInlineBlob, then it reads back', async () => {
    const bytes = Buffer.from('a small tarball');
    const blob = await blobs.put(bytes);
    assert.ok(isInlineBlob(blob));
    assert.equal(blob.sha256, sha256(bytes));
    assert.equal(blob.size, bytes.length);
    assert.equal(await blobs.exists(blob.sha256), false, 'put alone stores nothing');
    await db.transaction().execute((tx) => storeInlineBlob(tx, blob));
    await db.transaction().execute((tx) => storeInlineBlob(tx, blob)); // the same bytes again: kept once
    assert.equal(await blobs.exists(blob.sha256), true);
    assert.deepEqual(await collect(await blobs.open(blob.sha256)), bytes);
    assert.deepEqual(filesInFolder(), [], 'no file in the blob folder');
    await blobs.remove(blob.sha256);
    assert.equal(await blobs.exists(blob.sha256), false);
    await assert.rejects(blobs.open(blob.sha256), { code: 'ENOENT' });
  });

  it('stores nothing when the transaction rolls back', async () => {
    const blob = await blobs.put(Buffer.from('rolled back'));
    assert.ok(isInlineBlob(blob));
    await assert.rejects(
      db.transaction().execute(async (tx) => {
        await storeInlineBlob(tx, blob);
        throw new Error('the publish failed');
      }),
      /the publish failed/,
    );
    assert.equal(await blobs.exists(blob.sha256), false);
  });

  it('sends larger Buffers and streams to the folder store, and refuses over maxBytes before storing', async () => {
    const large = Buffer.alloc(1025, 7);
    const blob = await blobs.put(large);
    assert.equal(isInlineBlob(blob), false);
    assert.deepEqual(filesInFolder(), [blob.sha256]);
    const streamed = await blobs.put((async function* () { yield Buffer.from('streamed'); })());
    assert.equal(isInlineBlob(streamed), false);
    assert.deepEqual(await collect(await blobs.open(streamed.sha256)), Buffer.from('streamed'));
    await assert.rejects(blobs.put(Buffer.alloc(100), { maxBytes: 99 }), { statusCode: 413 });
    await blobs.remove(blob.sha256);
    await blobs.remove(streamed.sha256);
    assert.deepEqual(filesInFolder(), []);
  });

  it('opens a blob larger than any inline setting from the folder without asking the database', async () => {
    const closed = openDatabase({ sqliteFile: join(tempDir('trove-inline-closed-'), 'closed.db') });
    await closed.destroy();
    const layers = new InlineBlobStore(new FsBlobStore(folder), closed, 1024);
    const bytes = Buffer.alloc(INLINE_BLOB_MAX_KB_LIMIT * 1024 + 1, 3);
    const blob = await layers.put((async function* () { yield bytes; })());
    assert.ok((await collect(await layers.open(blob.sha256, { size: bytes.length }))).equals(bytes));
    await assert.rejects(layers.open(blob.sha256)); // without its size, the database is asked
    await blobs.remove(blob.sha256);
  });

  it('keeps nothing in the database when turned off (0)', async () => {
    const off = new InlineBlobStore(new FsBlobStore(folder), db, 0);
    const blob = await off.put(Buffer.from('x'));
    assert.equal(isInlineBlob(blob), false);
    assert.deepEqual(filesInFolder(), [blob.sha256]);
    await off.remove(blob.sha256);
  });
});
