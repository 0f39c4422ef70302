import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, open as openDescriptor, type WriteStream } from 'node:fs';
import { access, mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { promisify } from 'node:util';
import { BlobDigests } from '../blob-digests.js';
import { blobPath } from '../blob-key.js';
import type { CollectableBlobStore, DigestSet, OpenOptions, PutOptions, PutResult } from '../blob-store.js';

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

const openForReading = promisify(openDescriptor);

/** The read size for blobs larger than it. */
const LARGE_READ_BYTES = 1024 * 1024;

/** How many bytes a streamed put may hold in memory ahead of the disk. */
const WRITE_BUFFER_BYTES = 1024 * 1024;

/** Blobs in a folder, laid out as aa/bb/<sha256>. Writes go to tmp/ and are renamed into place. */
export class FsBlobStore implements CollectableBlobStore {
  constructor(private readonly root: string) {}

  private pathOf(sha256: string): string {
    return join(this.root, blobPath(sha256));
  }

  async put<D extends DigestSet = 'all'>(data: Buffer | AsyncIterable<Uint8Array>, options: PutOptions<D> = {}): Promise<PutResult<D>> {
    const tmpPath = join(this.root, 'tmp', randomUUID());
    const digests = new BlobDigests(options.maxBytes, options.digests);
    const blob = Buffer.isBuffer(data) ? await this.writeBuffer(tmpPath, data, digests) : await this.writeStream(tmpPath, data, digests);
    try {
      await options.beforePlace?.(blob);
      await this.moveIntoPlace(tmpPath, blob.sha256);
      return blob;
    } catch (error) {
      await rm(tmpPath, { force: true });
      throw error;
    }
  }

  /**
   * A body already in memory (an npm publish's base64 attachment): one write and one fsync on a
   * file handle, without the stream pipeline (its set-up showed in the publish's CPU profile).
   */
  private async writeBuffer<D extends DigestSet>(tmpPath: string, data: Buffer, digests: BlobDigests<D>): Promise<PutResult<D>> {
    digests.add(data);
    const blob = digests.result();
    const handle = await this.openTemporary(tmpPath);
    try {
      await handle.writeFile(data);
      // The bytes reach the disk before the file is renamed into place, so a version whose
      // database row committed never points at a file a power cut emptied.
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(tmpPath, { force: true });
      throw error;
    }
    await handle.close();
    return blob;
  }

  private async writeStream<D extends DigestSet>(tmpPath: string, data: AsyncIterable<Uint8Array>, digests: BlobDigests<D>): Promise<PutResult<D>> {
    await mkdir(join(this.root, 'tmp'), { recursive: true });
    // flush: fsync before close, as in writeBuffer. Up to 1 MiB waits for the disk while the
    // next bytes are read: the default 16 KiB made every 64 KiB socket chunk wait for its own
    // write through the thread pool before the next was read (a 10 MB container layer: 160 waits).
    const out = createWriteStream(tmpPath, { flags: 'wx', flush: true, highWaterMark: WRITE_BUFFER_BYTES });
    // Always listened to: a write failing (a full disk), or one still in flight when a refused
    // body destroys the stream, emits 'error', which unheard would end the process.
    let writeError: Error | null = null;
    out.on('error', (error) => (writeError ??= error));
    try {
      for await (const chunk of data) {
        if (writeError) throw writeError;
        digests.add(chunk);
        // events.once rejects when 'error' comes instead of 'drain'.
        if (!out.write(chunk)) await once(out, 'drain');
      }
      out.end();
      await finished(out);
      return digests.result();
    } catch (error) {
      // The stream opens its file asynchronously: removing before it has closed could run ahead
      // of that open and leave the file it then creates behind in tmp/.
      await destroyAndWaitForClose(out);
      await rm(tmpPath, { force: true });
      throw error;
    }
  }

  /** tmp/ exists after the first put: make it only when the open says it is missing. */
  private async openTemporary(tmpPath: string): Promise<FileHandle> {
    try {
      return await open(tmpPath, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await mkdir(join(tmpPath, '..'), { recursive: true });
      return open(tmpPath, 'wx');
    }
  }

  /** Renames the written file to its content address (making aa/bb/ only when missing) and syncs that folder. */
  private async moveIntoPlace(tmpPath: string, sha256: string): Promise<void> {
    const finalPath = this.pathOf(sha256);
    const finalDir = join(finalPath, '..');
    try {
      await rename(tmpPath, finalPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await mkdir(finalDir, { recursive: true });
      await rename(tmpPath, finalPath);
    }
    await syncDirectory(finalDir); // the new name itself must survive a power cut too
  }

  async open(sha256: string, options: OpenOptions = {}): Promise<Readable> {
    // One open (a missing blob still fails here, before any response is started), not access
    // then open; and 256 KiB reads, so a typical package file takes one trip through libuv's
    // thread pool instead of several 64 KiB ones (tarball GETs under load, see bench/). A blob
    // known to be larger (a container layer) is read 1 MiB at a time: a fifth less of Trove's CPU
    // for a skopeo pull of 5 x 10 MB. A plain descriptor, not a FileHandle: its stream reads
    // through fs.read's callbacks, cheaper for the event loop than the FileHandle's promises.
    const path = this.pathOf(sha256);
    const large = options.size !== undefined && options.size > LARGE_READ_BYTES;
    return createReadStream(path, { fd: await openForReading(path, 'r'), highWaterMark: large ? LARGE_READ_BYTES : 256 * 1024 });
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

  async *list(): AsyncIterable<string> {
    for (const first of await namesIn(this.root, TWO_HEX)) {
      for (const second of await namesIn(join(this.root, first), TWO_HEX)) {
        for (const name of await namesIn(join(this.root, first, second), SHA256_HEX)) {
          if (name.startsWith(first + second)) yield name;
        }
      }
    }
  }

  /** An upload still streaming keeps writing its file, so its modification time stays recent. */
  async removeTemporaries(before: Date): Promise<number> {
    const tmp = join(this.root, 'tmp');
    let removed = 0;
    for (const name of await namesIn(tmp, /^/)) {
      const path = join(tmp, name);
      const info = await stat(path).catch(() => undefined);
      if (info?.isFile() && info.mtime < before) {
        await rm(path, { force: true });
        removed++;
      }
    }
    return removed;
  }
}

const TWO_HEX = /^[0-9a-f]{2}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The names in a folder that match `pattern`; none when the folder does not exist. */
async function namesIn(dir: string, pattern: RegExp): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => pattern.test(name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
