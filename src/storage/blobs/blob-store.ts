import type { Readable } from 'node:stream';

/** What the store learned about a blob while writing it. */
export interface StoredBlob {
  sha256: string;
  sha1: string;
  md5: string;
  sha512: string;
  size: number;
  /**
   * The pending upload registered for these bytes (src/core/packages/pending-uploads.ts): the
   * blob collector leaves them alone until the transaction that inserts their file row ends it.
   */
  uploadId?: number;
}

export interface PutOptions {
  /** Refused with 413 past this many bytes, before they are stored. */
  maxBytes?: number;
  /**
   * Called once the digests are known and before the bytes reach their content address (where
   * the same bytes may already be, shared with other files). A failure stores nothing.
   */
  beforePlace?: (blob: StoredBlob) => Promise<void>;
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
  put(data: Buffer | AsyncIterable<Uint8Array>, options?: PutOptions): Promise<StoredBlob>;
  open(sha256: string): Promise<Readable>;
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
