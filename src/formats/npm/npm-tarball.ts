import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, gunzipSync } from 'node:zlib';
import ssri from 'ssri';
import tar from 'tar-stream';
import { errors } from '../../core/errors.js';
import { assertSafeEntryName, readEntries } from '../tar-entries.js';
import { isJsonObject } from './npm-json.js';

const MAX_PACKAGE_JSON_BYTES = 1024 * 1024;

// Most npm tarballs unpack to well under a megabyte. Inflating those in one synchronous call costs
// microseconds; streaming them through zlib's thread pool and stream/promises.pipeline cost about
// 0.25 ms of CPU per publish (the benchmark's profile: a sixth of a small publish). Larger tarballs,
// and small ones that unpack to more than this (a gzip bomb), stream with the unpacked-size limit.
const INFLATE_AT_ONCE_MAX_BYTES = 1024 * 1024;


/** Checks the tarball against the manifest's dist.integrity and dist.shasum. */
export function assertIntegrity(tarball: Buffer, dist: { integrity?: unknown; shasum?: unknown }): void {
  if (typeof dist.integrity !== 'string' && typeof dist.shasum !== 'string') {
    throw errors.badRequest('The manifest has neither dist.integrity nor dist.shasum');
  }
  if (typeof dist.integrity === 'string' && !ssri.checkData(tarball, dist.integrity)) {
    throw errors.badRequest('Tarball integrity does not match dist.integrity');
  }
  if (typeof dist.shasum === 'string' && createHash('sha1').update(tarball).digest('hex') !== dist.shasum.toLowerCase()) {
    throw errors.badRequest('Tarball shasum does not match dist.shasum');
  }
}

/**
 * Reads through the gzipped tarball (never unpacking more than `maxUnpackedBytes`),
 * refusing links and unsafe paths, and returns its package.json.
 */
export async function readTarballManifest(tarball: Buffer, maxUnpackedBytes: number): Promise<Record<string, unknown>> {
  const extract = tar.extract();
  let manifestText: string | null = null;
  readEntries(extract, {
    accept(header) {
      assertSafeEntryName(header.name);
      if (header.type !== 'file' && header.type !== 'directory') {
        throw errors.badRequest(`Tarball entry "${header.name}" is a ${header.type}; links and special files are not allowed`);
      }
      const isManifest = /^[^/]+\/package\.json$/.test(header.name) && (manifestText === null || header.name === 'package/package.json');
      return isManifest ? MAX_PACKAGE_JSON_BYTES : 0;
    },
    kept: (_name, data) => (manifestText = data.toString('utf8')),
    tooLarge: () => errors.badRequest('package.json in the tarball is too large'),
  });
  try {
    const inflated = inflateIfSmall(tarball, maxUnpackedBytes);
    if (inflated) await untar(extract, inflated);
    else await pipeline(Readable.from([tarball]), createGunzip(), unpackedLimit(maxUnpackedBytes), extract);
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode) throw error;
    throw errors.badRequest(`Tarball is not a valid gzipped tar archive: ${(error as Error).message}`);
  }
  if (manifestText === null) throw errors.badRequest('Tarball has no package.json');
  try {
    const parsed: unknown = JSON.parse(manifestText);
    if (!isJsonObject(parsed)) throw new Error('not an object');
    return parsed;
  } catch (error) {
    throw errors.badRequest(`package.json in the tarball is not valid JSON: ${(error as Error).message}`);
  }
}

/** The unpacked tar of a tarball that unpacks to at most INFLATE_AT_ONCE_MAX_BYTES, else null. */
function inflateIfSmall(tarball: Buffer, maxUnpackedBytes: number): Buffer | null {
  if (tarball.length > INFLATE_AT_ONCE_MAX_BYTES) return null;
  const limit = Math.min(INFLATE_AT_ONCE_MAX_BYTES, maxUnpackedBytes);
  try {
    return gunzipSync(tarball, { maxOutputLength: limit });
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_BUFFER_TOO_LARGE') throw error;
    if (limit === maxUnpackedBytes) throw unpacksTooLarge(maxUnpackedBytes);
    return null;
  }
}

function untar(extract: tar.Extract, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    extract.once('error', reject);
    extract.once('finish', resolve);
    extract.end(data);
  });
}

function unpackedLimit(maxUnpackedBytes: number) {
  return async function* (source: AsyncIterable<Buffer>) {
    let unpacked = 0;
    for await (const chunk of source) {
      unpacked += chunk.length;
      if (unpacked > maxUnpackedBytes) throw unpacksTooLarge(maxUnpackedBytes);
      yield chunk;
    }
  };
}

const unpacksTooLarge = (maxUnpackedBytes: number) => errors.payloadTooLarge(`Tarball unpacks to more than ${maxUnpackedBytes} bytes`);
