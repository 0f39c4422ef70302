import { Readable } from 'node:stream';
import { ociError } from '../oci-errors.js';

// One `Range: bytes=<start>-[<end>]` on a blob GET (the distribution spec's resumable pulls); a
// suffix (`bytes=-N`) or several ranges are not offered and get the whole blob, as RFC 9110 allows.

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

/** The range asked for, null for the whole blob; RANGE_INVALID (416) when it starts past the end. */
export function byteRangeOf(header: string | undefined, size: number): ByteRange | null {
  const match = header === undefined ? null : /^bytes=(\d+)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) throw ociError('RANGE_INVALID', `range ${header} is not within the blob's ${size} bytes`);
  return { start, end };
}

/** The bytes of `range` out of the whole blob, as a Buffer or a stream. */
export function sliceOf(whole: Buffer | Readable, range: ByteRange): Buffer | Readable {
  if (Buffer.isBuffer(whole)) return whole.subarray(range.start, range.end + 1);
  return Readable.from(
    (async function* () {
      let offset = 0;
      for await (const chunk of whole as AsyncIterable<Buffer>) {
        const from = Math.max(range.start - offset, 0);
        const to = Math.min(range.end + 1 - offset, chunk.length);
        if (to > from) yield chunk.subarray(from, to);
        offset += chunk.length;
        if (offset > range.end) break;
      }
    })(),
  );
}
