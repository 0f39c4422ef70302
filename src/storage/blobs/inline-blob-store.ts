import { Readable } from 'node:stream';
import type { Db, Tx } from '../db/database.js';
import { BlobDigests } from './blob-digests.js';
import type { BlobStore, ContentBlob, DigestSet, OpenOptions, PutOptions, PutResult } from './blob-store.js';

// Small package files kept in the database (table blob_contents) instead of the blob store.
//
// Why: the blob folder creates, writes, fsyncs and renames a new file for every stored blob, then
// fsyncs its folder. On the benchmark machine (ext4) creating the file alone cost 0.1-0.7 ms of
// kernel CPU, and an npm publish spent about half of its server CPU on the blob file: with the file
// writes taken out, 327 publishes/s against 162 (bench/, measured alternately). A small file that
// arrived whole in memory costs one more row in the publish's own transaction instead: no file,
// one fsync (the commit's) instead of three, and the bytes commit atomically with their file row.
//
// How: put() of such a Buffer stores NOTHING. It returns an InlineBlob, and the package write
// inserts its bytes with the file row, in its transaction (PackageWriter, storeInlineBlob).
// Streams and larger Buffers go to the wrapped store as before. Reads and removes look at both.
// An inline blob needs no pending-upload registration (PutOptions.beforePlace is not called): its
// bytes and its file row commit together, and that transaction keeps the blob collector away from
// them (src/core/packages/pending-uploads.ts).

/** The largest TROVE_INLINE_BLOB_MAX_KB accepts: no blob above it was ever kept inline. */
export const INLINE_BLOB_MAX_KB_LIMIT = 1024;

/** A blob whose bytes are written with the file row that names it, in that row's transaction. */
export interface InlineBlob extends ContentBlob {
  inline: Buffer;
}

export function isInlineBlob<B extends ContentBlob>(blob: B): blob is B & InlineBlob {
  return Buffer.isBuffer((blob as Partial<InlineBlob>).inline);
}

/** Stores the bytes of an inline blob inside `tx` (once per sha256: the same bytes are kept once). */
export async function storeInlineBlob(tx: Tx, blob: InlineBlob): Promise<void> {
  await tx
    .insertInto('blob_contents')
    .values({ sha256: blob.sha256, data: blob.inline })
    .onConflict((oc) => oc.column('sha256').doNothing())
    .execute();
}

export class InlineBlobStore implements BlobStore {
  /** @param maxInlineBytes Buffers up to this size are kept in the database (TROVE_INLINE_BLOB_MAX_KB); 0: none. */
  constructor(
    private readonly store: BlobStore,
    private readonly db: Db,
    private readonly maxInlineBytes: number,
  ) {}

  async put<D extends DigestSet = 'all'>(data: Buffer | AsyncIterable<Uint8Array>, options: PutOptions<D> = {}): Promise<PutResult<D>> {
    if (!Buffer.isBuffer(data) || this.maxInlineBytes === 0 || data.length > this.maxInlineBytes) return this.store.put(data, options);
    return { ...BlobDigests.of(data, options.maxBytes, options.digests), inline: data };
  }

  private async inlineBytes(sha256: string): Promise<Buffer | undefined> {
    const row = await this.db.selectFrom('blob_contents').select('data').where('sha256', '=', sha256).executeTakeFirst();
    return row?.data;
  }

  async open(sha256: string, options: OpenOptions = {}): Promise<Readable> {
    // Larger than any setting ever kept inline (a container layer): no query for it.
    if (options.size !== undefined && options.size > INLINE_BLOB_MAX_KB_LIMIT * 1024) return this.store.open(sha256, options);
    const bytes = await this.inlineBytes(sha256);
    return bytes ? Readable.from([bytes]) : this.store.open(sha256, options);
  }

  async exists(sha256: string): Promise<boolean> {
    const row = await this.db.selectFrom('blob_contents').select('sha256').where('sha256', '=', sha256).executeTakeFirst();
    return row !== undefined || this.store.exists(sha256);
  }

  async remove(sha256: string): Promise<void> {
    await this.db.deleteFrom('blob_contents').where('sha256', '=', sha256).execute();
    await this.store.remove(sha256);
  }
}
