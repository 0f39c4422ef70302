import type { Readable } from 'node:stream';
import type { BlobStore, ContentBlob, DigestSet, OpenOptions, PutOptions, PutResult } from '../../storage/blobs/blob-store.js';
import type { Db, Tx } from '../../storage/db/database.js';
import { nowIso } from '../clock.js';
import { errors } from '../errors.js';

// Identical bytes are stored once and shared by every file that has them, across projects, so an
// upload may need a blob that looks unneeded: another project's package with the same bytes was
// just deleted, and this upload's file row has not committed yet. The blob collector
// (blob-gc.ts) therefore deletes only blobs needed by no file row AND no pending upload, and
// every upload is registered here before its bytes reach their content address:
//
//   register (commit) -> bytes placed (or found already there) -> file row + end of registration (one commit)
//
// Both the registration and the collector's deletion first touch the blob's row in
// unreferenced_blobs, which serializes them on every database: a collector that is deleting the
// blob holds that row until its deletion has committed, so the upload places its bytes after it;
// a registration that came first removes the row, so the collector finds nothing to delete.

/** Registers an upload of `sha256` whose bytes are about to be placed; returns its id. */
async function registerPendingUpload(db: Db, sha256: string): Promise<number> {
  return db.transaction().execute(async (tx) => {
    await tx.deleteFrom('unreferenced_blobs').where('sha256', '=', sha256).execute();
    const row = await tx.insertInto('pending_uploads').values({ sha256, registered_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
    return row.id;
  });
}

/**
 * In the transaction that inserts a file row for `blob`: ends its registration and unmarks the
 * blob for the collector. Inline blobs (bytes kept in the database) have no registration: their
 * bytes commit with this row, and unmarking here is what keeps a collector away from them.
 * A registration that is gone lapsed after the grace period (the collector may have taken the
 * bytes): the write is refused rather than acknowledged without its bytes.
 */
export async function settleUpload(tx: Tx, blob: Pick<ContentBlob, 'sha256' | 'uploadId'>): Promise<void> {
  await tx.deleteFrom('unreferenced_blobs').where('sha256', '=', blob.sha256).execute();
  if (blob.uploadId === undefined) return;
  const ended = await tx.deleteFrom('pending_uploads').where('id', '=', blob.uploadId).executeTakeFirst();
  if (Number(ended.numDeletedRows) === 0) {
    throw errors.serviceUnavailable('The upload took longer than the blob grace period (TROVE_BLOB_GC_GRACE_SECONDS); upload it again');
  }
}

/** The application's blob store: every put registers a pending upload before its bytes are placed. */
export class RegisteringBlobStore implements BlobStore {
  constructor(
    private readonly store: BlobStore,
    private readonly db: Db,
  ) {}

  async put<D extends DigestSet = 'all'>(data: Buffer | AsyncIterable<Uint8Array>, options: PutOptions<D> = {}): Promise<PutResult<D>> {
    let uploadId: number | undefined;
    const blob = await this.store.put<D>(data, {
      ...options,
      beforePlace: async (digests) => {
        await options.beforePlace?.(digests);
        uploadId = await registerPendingUpload(this.db, digests.sha256);
      },
    });
    return { ...blob, uploadId };
  }

  open(sha256: string, options?: OpenOptions): Promise<Readable> {
    return this.store.open(sha256, options);
  }

  exists(sha256: string): Promise<boolean> {
    return this.store.exists(sha256);
  }

  remove(sha256: string): Promise<void> {
    return this.store.remove(sha256);
  }
}
