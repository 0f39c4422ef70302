import type { Readable } from 'node:stream';

/** What the store learned about a blob while writing it. */
export interface StoredBlob {
  sha256: string;
  sha1: string;
  md5: string;
  sha512: string;
  size: number;
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
  put(data: Buffer | AsyncIterable<Uint8Array>, options?: { maxBytes?: number }): Promise<StoredBlob>;
  open(sha256: string): Promise<Readable>;
  exists(sha256: string): Promise<boolean>;
  remove(sha256: string): Promise<void>;
}
