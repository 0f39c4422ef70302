import { createHash, type Hash } from 'node:crypto';
import { errors } from '../../core/errors.js';
import type { DigestSet, PutResult, StoredBlob } from './blob-store.js';

/** Size and the digests of `set` (every one a package format may need, by default), computed as the bytes stream past. */
export class BlobDigests<D extends DigestSet = 'all'> {
  private readonly sha256 = createHash('sha256');
  private readonly others: { sha1: Hash; md5: Hash; sha512: Hash } | null;
  private size = 0;

  constructor(
    private readonly maxBytes: number | undefined,
    set: D = 'all' as D,
  ) {
    this.others = set === 'all' ? { sha1: createHash('sha1'), md5: createHash('md5'), sha512: createHash('sha512') } : null;
  }

  /** Counts the chunk and refuses it (413) once the total passes maxBytes, before hashing it. */
  add(chunk: Uint8Array): void {
    this.size += chunk.length;
    if (this.maxBytes !== undefined && this.size > this.maxBytes) throw errors.payloadTooLarge();
    this.sha256.update(chunk);
    if (this.others) for (const hash of Object.values(this.others)) hash.update(chunk);
  }

  /** The digests of bytes already in memory (refused with 413 over maxBytes). */
  static of<D extends DigestSet = 'all'>(data: Uint8Array, maxBytes: number | undefined, set?: D): PutResult<D> {
    const digests = new BlobDigests<D>(maxBytes, set);
    digests.add(data);
    return digests.result();
  }

  result(): PutResult<D> {
    const sha256 = this.sha256.digest('hex');
    if (!this.others) return { sha256, size: this.size } as PutResult<D>;
    const all: StoredBlob = { sha256, sha1: this.others.sha1.digest('hex'), md5: this.others.md5.digest('hex'), sha512: this.others.sha512.digest('hex'), size: this.size };
    return all as PutResult<D>;
  }
}

/** A Buffer is one chunk; anything else is already a stream of chunks. */
export function chunksOf(data: Buffer | AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> | Uint8Array[] {
  return Buffer.isBuffer(data) ? [data] : data;
}
