import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { access, mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { BlobDigests, chunksOf } from '../blob-digests.js';
import { blobPath } from '../blob-key.js';
import type { BlobStore, StoredBlob } from '../blob-store.js';

async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function destroyAndWaitForClose(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.closed) return resolve();
    stream.once('close', () => resolve());
    stream.destroy();
  });
}

/** Blobs in a folder, laid out as aa/bb/<sha256>. Writes go to tmp/ and are renamed into place. */
export class FsBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private pathOf(sha256: string): string {
    return join(this.root, blobPath(sha256));
  }

  async put(data: Buffer | AsyncIterable<Uint8Array>, options: { maxBytes?: number } = {}): Promise<StoredBlob> {
    const tmpDir = join(this.root, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmpPath = join(tmpDir, randomUUID());
    const digests = new BlobDigests(options.maxBytes);
    // flush: the bytes reach the disk (fsync) before the file is closed and renamed into place,
    // so a version whose database row committed never points at a file a power cut emptied.
    const out = createWriteStream(tmpPath, { flags: 'wx', flush: true });
    try {
      for await (const chunk of chunksOf(data)) {
        digests.add(chunk);
        if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', resolve));
      }
      out.end();
      await finished(out);
      const blob = digests.result();
      const finalPath = this.pathOf(blob.sha256);
      const finalDir = join(finalPath, '..');
      await mkdir(finalDir, { recursive: true });
      await rename(tmpPath, finalPath);
      await syncDirectory(finalDir); // the new name itself must survive a power cut too
      return blob;
    } catch (error) {
      // The stream opens its file asynchronously: removing before it has closed could run ahead
      // of that open and leave the file it then creates behind in tmp/.
      await destroyAndWaitForClose(out);
      await rm(tmpPath, { force: true });
      throw error;
    }
  }

  async open(sha256: string): Promise<Readable> {
    // One open (a missing blob still fails here, before any response is started), not access
    // then open; and 256 KiB reads, so a typical package file takes one trip through libuv's
    // thread pool instead of several 64 KiB ones (tarball GETs under load, see bench/).
    const handle = await open(this.pathOf(sha256), 'r');
    return handle.createReadStream({ highWaterMark: 256 * 1024 });
  }

  async exists(sha256: string): Promise<boolean> {
    const path = this.pathOf(sha256);
    try {
      await access(path);
      return true;
    } catch {
      return false;
    }
  }

  async remove(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }
}
