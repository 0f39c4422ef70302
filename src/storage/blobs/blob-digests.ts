import { createHash } from 'node:crypto';
import { errors } from '../../core/errors.js';
import type { StoredBlob } from './blob-store.js';

/** Size and every digest a package format may need, computed as the bytes stream past. */
export class BlobDigests {
  private readonly hashes = {
    sha256: createHash('sha256'),
    sha1: createHash('sha1'),
    md5: createHash('md5'),
    sha512: createHash('sha512'),
  };
  private size = 0;

  constructor(private readonly maxBytes: number | undefined) {}

  /** Counts the chunk and refuses it (413) once the total passes maxBytes, before hashing it. */
  add(chunk: Uint8Array): void {
    this.size += chunk.length;
    if (this.maxBytes !== undefined && this.size > this.maxBytes) throw errors.payloadTooLarge();
    for (const hash of Object.values(this.hashes)) hash.update(chunk);
  }

  /** The digests of bytes already in memory (refused with 413 over maxBytes). */
  static of(data: Uint8Array, maxBytes: number | undefined): StoredBlob {
    const digests = new BlobDigests(maxBytes);
    digests.add(data);
    return digests.result();
  }

  result(): StoredBlob {
    return {
      sha256: this.hashes.sha256.digest('hex'),
      sha1: this.hashes.sha1.digest('hex'),
      md5: this.hashes.md5.digest('hex'),
      sha512: this.hashes.sha512.digest('hex'),
      size: this.size,
    };
  }
}

/** A Buffer is one chunk; anything else is already a stream of chunks. */
export function chunksOf(data: Buffer | AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> | Uint8Array[] {
  return Buffer.isBuffer(data) ? [data] : data;
}
