import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../../../test/support/temp-dir.js';
import { freshDatabaseUrl } from '../../../test/support/test-database.js';
import type { CollectableBlobStore } from '../../storage/blobs/blob-store.js';
import { BlobDigests } from '../../storage/blobs/blob-digests.js';
import { FsBlobStore } from '../../storage/blobs/fs/fs-blob-store.js';
import { storeInlineBlob } from '../../storage/blobs/inline-blob-store.js';
import { migrateToLatest, openDatabase, type Db } from '../../storage/db/database.js';
import { blobGcJob } from './blob-gc.js';
import { RegisteringBlobStore } from './pending-uploads.js';

// The blob collector against a real folder store and a real database (SQLite, or PostgreSQL on
// the PostgreSQL run), with a grace period of a few milliseconds: what it deletes, what it keeps,
// and an upload of bytes it is deleting at that very moment.

const GRACE_MS = 30;
// A collector that runs right after an upload registered must not see the registration lapse, however
// long a busy machine takes between the two: those runs get a grace period no test waits out.
const LONG_GRACE_MS = 600_000;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The folder store, with a remove() that announces itself and waits until released. */
function heldRemoves(store: FsBlobStore) {
  let entered!: () => void;
  let release!: () => void;
  const removing = new Promise<void>((resolve) => (entered = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const held: CollectableBlobStore = Object.assign(Object.create(store) as FsBlobStore, {
    async remove(sha256: string) {
      entered();
      await released;
      await store.remove(sha256);
    },
  });
  return { held, removing, release };
}

describe('blob collector', () => {
  let db: Db;
  let store: FsBlobStore;
  let uploads: RegisteringBlobStore;
  const collect = async (from: CollectableBlobStore = store, graceMs = GRACE_MS) => String(await blobGcJob(db, from, graceMs, 1000).run());
  /** A run that marks what nothing needs but lets no registration lapse and deletes nothing. */
  const collectKeepingRegistrations = () => collect(store, LONG_GRACE_MS);
  const marked = async (sha256: string) => (await db.selectFrom('unreferenced_blobs').select('sha256').where('sha256', '=', sha256).executeTakeFirst()) !== undefined;
  /** An upload whose write failed: its registration ends without a file row. */
  const abandon = (uploadId: number | undefined) => db.deleteFrom('pending_uploads').where('id', '=', uploadId!).execute();

  before(async () => {
    const dir = tempDir('trove-blob-gc-');
    db = openDatabase({ sqliteFile: join(dir, 'trove.db'), postgresUrl: await freshDatabaseUrl() });
    await migrateToLatest(db);
    store = new FsBlobStore(join(dir, 'blobs'));
    uploads = new RegisteringBlobStore(store, db);
  });

  after(async () => {
    await db?.destroy();
  });

  it('keeps a registered blob, marks it once nothing needs it, and deletes it a grace period later', async () => {
    const blob = await uploads.put(Buffer.from('registered before it was placed'));
    assert.ok(blob.uploadId !== undefined);
    await collectKeepingRegistrations();
    assert.equal(await marked(blob.sha256), false, 'a pending upload needs it');
    await abandon(blob.uploadId);
    assert.match(await collect(), /^deleted 0 blobs, marked 1 newly unreferenced/);
    assert.equal(await store.exists(blob.sha256), true, 'marked, not deleted');
    await pause(GRACE_MS + 5);
    assert.match(await collect(), /^deleted 1 blobs/);
    assert.equal(await store.exists(blob.sha256), false);
    assert.equal(await marked(blob.sha256), false);
  });

  it('does not delete a marked blob that an upload registered again', async () => {
    const bytes = Buffer.from('needed again');
    await abandon((await uploads.put(bytes)).uploadId);
    await collect();
    await pause(GRACE_MS + 5);
    const again = await uploads.put(bytes);
    await collectKeepingRegistrations();
    assert.equal(await store.exists(again.sha256), true);
    assert.equal(await marked(again.sha256), false, 'registered again: no longer marked');
    await abandon(again.uploadId);
  });

  it('collects blobs kept in the database (inline) the same way', async () => {
    const bytes = Buffer.from('a small tarball');
    const blob = { ...BlobDigests.of(bytes, undefined), inline: bytes };
    await db.transaction().execute((tx) => storeInlineBlob(tx, blob));
    await collect();
    await pause(GRACE_MS + 5);
    await collect();
    assert.equal(await db.selectFrom('blob_contents').select('sha256').where('sha256', '=', blob.sha256).executeTakeFirst(), undefined);
  });

  it('makes an upload of bytes it is deleting wait for the deletion, so the upload places them after it', async () => {
    const bytes = Buffer.from('deleted and uploaded at the same moment');
    await abandon((await uploads.put(bytes)).uploadId);
    await collect();
    await pause(GRACE_MS + 5);
    const { held, removing, release } = heldRemoves(store);
    const collecting = collect(held);
    await removing; // the collector has taken the mark and is about to delete the bytes
    const upload = uploads.put((async function* () { yield bytes; })());
    await pause(200); // room for an upload that does not wait to place its bytes too early
    release();
    assert.match(await collecting, /^deleted 1 blobs/);
    const blob = await upload;
    assert.equal(await store.exists(blob.sha256), true, 'the upload placed its bytes after the deletion');
    await abandon(blob.uploadId);
  });
});
