import type { Readable } from 'node:stream';

/** What every store learns about a blob while writing it: its content address and size. */
export interface ContentBlob {
  sha256: string;
  size: number;
  /**
   * The pending upload registered for these bytes (src/core/packages/pending-uploads.ts): the
   * blob collector leaves them alone until the transaction that inserts their file row ends it.
   */
  uploadId?: number;
}

/** A blob with every digest a package format may need. */
export interface StoredBlob extends ContentBlob {
  sha1: string;
  md5: string;
  sha512: string;
}

/**
 * The digests a put computes while streaming: all of them (package files, whose metadata names
 * md5, sha1 and sha512 too), or the sha256 alone (container blobs, addressed and verified by
 * sha256 only). md5, sha1 and sha512 together cost several times the sha256's CPU, all of it on
 * the event loop: a 10 MB layer's four digests took about 130 ms on the benchmark machine.
 */
export type DigestSet = 'all' | 'sha256';

/** What a put returns for the digests it was asked for. */
export type PutResult<D extends DigestSet> = D extends 'sha256' ? ContentBlob : StoredBlob;

export interface PutOptions<D extends DigestSet = 'all'> {
  /** Refused with 413 past this many bytes, before they are stored. */
  maxBytes?: number;
  /** 'all' unless said otherwise. */
  digests?: D;
  /**
   * Called once the digests are known and before the bytes reach their content address (where
   * the same bytes may already be, shared with other files). A failure stores nothing.
   */
  beforePlace?: (blob: PutResult<D>) => Promise<void>;
}

export interface OpenOptions {
  /** The blob's size, when the caller knows it from its row: a store may choose how it reads by it. */
  size?: number;
}

/**
 * Content-addressed blob storage (key = sha256). Deliberately small: the folder store (fs/,
 * the default) and the S3-compatible store (s3/) implement it; create-blob-store.ts picks one.
 */
export interface BlobStore {
  /**
   * Stores the bytes, computing digests while streaming; never holds a whole upload in memory.
   * The application's store (inline-blob-store.ts) stores nothing for a small Buffer: it returns
   * an InlineBlob, whose bytes the package write inserts with its file row.
   */
  put<D extends DigestSet = 'all'>(data: Buffer | AsyncIterable<Uint8Array>, options?: PutOptions<D>): Promise<PutResult<D>>;
  open(sha256: string, options?: OpenOptions): Promise<Readable>;
  exists(sha256: string): Promise<boolean>;
  remove(sha256: string): Promise<void>;
}

/** What the blob collector (src/core/packages/blob-gc.ts) needs of the store that holds the bytes. */
export interface CollectableBlobStore extends BlobStore {
  /** The sha256 of every stored blob, in no particular order (temporary files not included). */
  list(): AsyncIterable<string>;
  /** Removes temporary files of uploads last written before `before` (left by crashes); returns how many. */
  removeTemporaries(before: Date): Promise<number>;
}
