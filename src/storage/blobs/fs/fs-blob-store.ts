import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { errors } from '../../../core/errors.js';
import type { BlobStore, StoredBlob } from '../blob-store.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Blobs in a folder, laid out as aa/bb/<sha256>. Writes go to tmp/ and are renamed into place. */
export class FsBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private pathOf(sha256: string): string {
    // The key is always a digest we computed; refusing anything else keeps paths traversal-proof.
    if (!SHA256_HEX.test(sha256)) throw new Error(`invalid blob key ${JSON.stringify(sha256)}`);
    return join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(data: Buffer | AsyncIterable<Uint8Array>, options: { maxBytes?: number } = {}): Promise<StoredBlob> {
    const tmpDir = join(this.root, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmpPath = join(tmpDir, randomUUID());
    const hashes = {
      sha256: createHash('sha256'),
      sha1: createHash('sha1'),
      md5: createHash('md5'),
      sha512: createHash('sha512'),
    };
    let size = 0;
    const out = createWriteStream(tmpPath, { flags: 'wx' });
    try {
      const chunks: AsyncIterable<Uint8Array> | Uint8Array[] = Buffer.isBuffer(data) ? [data] : data;
      for await (const chunk of chunks) {
        size += chunk.length;
        if (options.maxBytes !== undefined && size > options.maxBytes) throw errors.payloadTooLarge();
        for (const h of Object.values(hashes)) h.update(chunk);
        if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', resolve));
      }
      out.end();
      await finished(out);
      const blob: StoredBlob = {
        sha256: hashes.sha256.digest('hex'),
        sha1: hashes.sha1.digest('hex'),
        md5: hashes.md5.digest('hex'),
        sha512: hashes.sha512.digest('hex'),
        size,
      };
      const finalPath = this.pathOf(blob.sha256);
      await mkdir(join(finalPath, '..'), { recursive: true });
      await rename(tmpPath, finalPath);
      return blob;
    } catch (error) {
      out.destroy();
      await rm(tmpPath, { force: true });
      throw error;
    }
  }

  async open(sha256: string): Promise<Readable> {
    const path = this.pathOf(sha256);
    await access(path);
    return createReadStream(path);
  }

  async exists(sha256: string): Promise<boolean> {
    try {
      await access(this.pathOf(sha256));
      return true;
    } catch {
      return false;
    }
  }

  async remove(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }
}
