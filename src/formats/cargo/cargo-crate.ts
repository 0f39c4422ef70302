import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { errors } from '../../core/errors.js';
import { assertSafeEntryName, readEntries } from '../tar-entries.js';

// A .crate is the gzipped tar `cargo package` makes: every entry under `<name>-<version>/`, with
// the normalised Cargo.toml at its top. Trove serves the publish's JSON metadata, not the
// archive's, so the archive is only checked to be the crate the metadata names: a crate built
// for another name or version, or an archive that is not one, is refused before it is stored.

/** crates.io's limit on a crate's unpacked size: an archive that unpacks past it is refused as it is read. */
const MAX_UNPACKED_BYTES = 512 * 1024 * 1024;

/** Reads the whole archive (streamed, nothing kept) and refuses it unless it is `name`'s `version`. */
export async function assertCrateArchive(archive: Readable | Buffer, name: string, version: string): Promise<void> {
  const root = `${name}-${version}/`;
  const extract = tar.extract();
  let unpacked = 0;
  let manifest = false;
  readEntries(extract, {
    accept(header) {
      assertSafeEntryName(header.name, 'Crate');
      if (!header.name.startsWith(root)) throw errors.badRequest(`Crate entry "${header.name}" is not under ${root}: the archive is not ${name} ${version}`);
      if (header.type !== 'file' && header.type !== 'directory') throw errors.badRequest(`Crate entry "${header.name}" is a ${header.type}, not a file`);
      unpacked += header.size ?? 0;
      if (unpacked > MAX_UNPACKED_BYTES) throw errors.payloadTooLarge(`The crate unpacks to more than ${MAX_UNPACKED_BYTES} bytes`);
      if (header.name === `${root}Cargo.toml`) manifest = true;
      return 0;
    },
    kept: () => undefined,
    tooLarge: (entry) => errors.badRequest(`Crate entry "${entry}" is too large`),
  });
  try {
    await pipeline(Buffer.isBuffer(archive) ? Readable.from([archive]) : archive, createGunzip(), extract);
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode) throw error;
    throw errors.badRequest(`Not a valid crate (a gzipped tar archive): ${(error as Error).message}`);
  }
  if (!manifest) throw errors.badRequest(`Not a valid crate: it has no ${root}Cargo.toml`);
}
