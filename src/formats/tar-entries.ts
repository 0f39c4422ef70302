import type tar from 'tar-stream';
import { errors } from '../core/errors.js';

// Reading one or two small files out of a package archive (npm's package.json, a gem's
// metadata.gz) while every other entry streams past, never kept in memory.

/** Refuses absolute paths, `..` segments, NUL and Windows drive or backslash tricks in a tar entry name. */
export function assertSafeEntryName(name: string, archive = 'Tarball'): void {
  if (name.includes('\0') || name.startsWith('/') || /^[a-zA-Z]:/.test(name) || name.includes('\\')) {
    throw errors.badRequest(`${archive} entry "${name}" has an unsafe path`);
  }
  if (name.split('/').some((segment) => segment === '..')) throw errors.badRequest(`${archive} entry "${name}" escapes the package folder`);
}

export interface EntryReader {
  /** Checks an entry's header (throw to refuse the archive) and says how many of its bytes to keep: 0 for none. */
  accept(header: tar.Header): number;
  /** An entry whose bytes were kept, whole. */
  kept(name: string, data: Buffer): void;
  /** The refusal of a kept entry larger than `accept` allowed. */
  tooLarge(name: string): Error;
}

/** Reads `extract`'s entries with `reader`; a refusal destroys `extract` with the error, which its pipeline reports. */
export function readEntries(extract: tar.Extract, reader: EntryReader): void {
  extract.on('entry', (header, stream, next) => {
    // Destroying `extract` also destroys this entry stream with the same error; untar or the
    // pipeline reports it. Without a listener that 'error' event is unhandled and kills the
    // server process.
    stream.on('error', () => undefined);
    const fail = (error: Error) => {
      stream.resume();
      extract.destroy(error);
    };
    let keep: number;
    try {
      keep = reader.accept(header);
    } catch (error) {
      fail(error as Error);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (data: unknown) => {
      const chunk = data as Buffer;
      size += chunk.length;
      if (keep > 0 && size <= keep) chunks.push(chunk);
    });
    stream.on('end', () => {
      if (keep > 0) {
        if (size > keep) return fail(reader.tooLarge(header.name));
        reader.kept(header.name, Buffer.concat(chunks));
      }
      next();
    });
    stream.on('error', fail);
  });
}
