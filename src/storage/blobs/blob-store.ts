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
  /** Stores the bytes, computing digests while streaming; never holds a whole upload in memory. */
  put(data: Buffer | AsyncIterable<Uint8Array>, options?: { maxBytes?: number }): Promise<StoredBlob>;
  open(sha256: string): Promise<Readable>;
  exists(sha256: string): Promise<boolean>;
  remove(sha256: string): Promise<void>;
}
