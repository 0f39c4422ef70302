import { gunzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { errors } from '../../core/errors.js';
import { lazyRequire } from '../../lazy-module.js';
import { parseControl, type ControlFields } from './debian-control.js';

// A .deb (deb(5)) is an ar archive: "debian-binary" ("2.0\n"), then control.tar[.gz|.xz|.zst], then
// data.tar.*. Only the control member is read, so a large package costs no more than its first few
// kilobytes; the tiny ar reader below pulls exactly the bytes it needs from the stream.

// xz-decompress is a CommonJS bundle whose exports Node's ESM loader cannot see by name.
const xzDecompress = lazyRequire<typeof import('xz-decompress')>('xz-decompress');

const AR_MAGIC = '!<arch>\n';
const HEADER_BYTES = 60;
/** A control archive holds a few small text files; anything larger is not one. */
const MAX_CONTROL_ARCHIVE_BYTES = 16 * 1024 * 1024;
const MAX_CONTROL_FILE_BYTES = 1024 * 1024;

const bad = (why: string) => errors.badRequest(`Not a valid .deb: ${why}`);

/** Reads exact byte counts from an async stream of chunks. */
class ByteReader {
  private buffered: Buffer[] = [];
  private size = 0;
  private readonly iterator: AsyncIterator<Uint8Array>;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  async read(count: number): Promise<Buffer | null> {
    while (this.size < count) {
      const next = await this.iterator.next();
      if (next.done) return null;
      const chunk = Buffer.from(next.value);
      this.buffered.push(chunk);
      this.size += chunk.length;
    }
    const all = this.buffered.length === 1 ? this.buffered[0] : Buffer.concat(this.buffered);
    const out = all.subarray(0, count);
    this.buffered = [all.subarray(count)];
    this.size = all.length - count;
    return out;
  }

  async close(): Promise<void> {
    await this.iterator.return?.();
  }
}

export interface ArMember {
  name: string;
  size: number;
}

/** The ar member header at the reader's position, or null at the end of the archive. */
export function parseArHeader(header: Buffer): ArMember {
  if (header.subarray(58, 60).toString('latin1') !== '`\n') throw bad('broken ar member header');
  const name = header.subarray(0, 16).toString('latin1').trimEnd().replace(/\/$/, '');
  const sizeText = header.subarray(48, 58).toString('latin1').trim();
  if (!/^\d{1,10}$/.test(sizeText)) throw bad('broken ar member size');
  return { name, size: Number(sizeText) };
}

async function decompress(name: string, bytes: Buffer): Promise<Buffer> {
  if (name === 'control.tar') return bytes;
  if (name === 'control.tar.gz') {
    try {
      return gunzipSync(bytes, { maxOutputLength: MAX_CONTROL_ARCHIVE_BYTES });
    } catch {
      throw bad('control.tar.gz does not unpack');
    }
  }
  if (name === 'control.tar.xz') {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      const { XzReadableStream } = xzDecompress();
      const stream = new XzReadableStream(Readable.toWeb(Readable.from([bytes])) as ReadableStream<Uint8Array>);
      for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
        size += chunk.length;
        if (size > MAX_CONTROL_ARCHIVE_BYTES) throw bad('control.tar.xz unpacks to more than 16 MiB');
        chunks.push(Buffer.from(chunk));
      }
    } catch (error) {
      if (error instanceof Error && /Not a valid/.test(error.message)) throw error;
      throw bad('control.tar.xz does not unpack');
    }
    return Buffer.concat(chunks);
  }
  if (name === 'control.tar.zst') throw bad('control.tar.zst is not supported: build the package with "dpkg-deb -Zxz" or "-Zgzip"');
  throw bad(`unexpected member ${JSON.stringify(name)} where control.tar.* belongs`);
}

/** The `control` file of a control archive (tar), never following links. */
async function controlFileOf(archive: Buffer): Promise<string> {
  const extract = tar.extract();
  let control: string | null = null;
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      stream.on('error', () => undefined);
      const name = header.name.replace(/^\.\//, '');
      if (name !== 'control' || header.type !== 'file') {
        stream.resume();
        stream.on('end', next);
        return;
      }
      if ((header.size ?? 0) > MAX_CONTROL_FILE_BYTES) {
        extract.destroy(bad('the control file is larger than 1 MiB'));
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
      stream.on('end', () => {
        control = Buffer.concat(chunks).toString('utf8');
        next();
      });
    });
    extract.on('finish', resolve);
    extract.on('error', (error) => reject(error instanceof Error && /Not a valid/.test(error.message) ? error : bad('the control archive is not a tar archive')));
  });
  extract.end(archive);
  await done;
  if (control === null) throw bad('the control archive has no control file');
  return control;
}

/** Reads a .deb from `source` up to its control archive and returns the control file's fields. */
export async function readDebControl(source: AsyncIterable<Uint8Array>): Promise<ControlFields> {
  const reader = new ByteReader(source);
  try {
    const magic = await reader.read(AR_MAGIC.length);
    if (!magic || magic.toString('latin1') !== AR_MAGIC) throw bad('it is not an ar archive');
    const first = await reader.read(HEADER_BYTES);
    if (!first) throw bad('the archive is empty');
    const binary = parseArHeader(first);
    if (binary.name !== 'debian-binary' || binary.size > 64) throw bad('it does not start with debian-binary');
    const versionText = await reader.read(binary.size + (binary.size % 2));
    if (!versionText || !/^2\.\d+\n/.test(versionText.toString('latin1'))) throw bad('its format version is not 2.x');
    const second = await reader.read(HEADER_BYTES);
    if (!second) throw bad('it has no control archive');
    const member = parseArHeader(second);
    if (!member.name.startsWith('control.tar')) throw bad(`unexpected member ${JSON.stringify(member.name)} where control.tar.* belongs`);
    if (member.size > MAX_CONTROL_ARCHIVE_BYTES) throw bad('the control archive is larger than 16 MiB');
    const packed = await reader.read(member.size);
    if (!packed) throw bad('the control archive is cut short');
    return parseControl(await controlFileOf(await decompress(member.name, packed)));
  } finally {
    await reader.close();
  }
}
