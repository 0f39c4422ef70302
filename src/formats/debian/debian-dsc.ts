import { errors } from '../../core/errors.js';
import { addChecksums, entries, md5AndSize, required, stripClearSignature, type ListedFile } from './debian-changes.js';
import { controlField, parseControl } from './debian-control.js';
import { assertDebianName, assertDebianVersion, assertUploadFileName } from './debian-names.js';

// A Debian source control file (dsc(5)), as dpkg-source writes it: one deb822 paragraph, often
// clear-signed, naming the source package, its version and the files it is unpacked from (the
// tarballs, or a 1.0 format's diff) with their sizes and checksums. The Sources index is made of
// its fields; apt-get source downloads the files it lists and hands them to dpkg-source.

export interface Dsc {
  source: string;
  version: string;
  /** The files the source package is made of, never the .dsc itself. */
  files: ListedFile[];
  /** The paragraph's fields, in their order, as written (continuation lines kept). */
  fields: Array<[string, string]>;
}

/** The file names a .dsc may list: tarballs, their upstream signatures and a diff, never another control file. */
const SOURCE_PART = /\.(?:diff\.gz|tar\.(?:gz|xz|bz2|lzma)(?:\.asc)?)$/;

/** Parses a .dsc (clear-signed or not); refuses one that lacks what a source package needs or lists an unsafe name. */
export function parseDsc(text: string): Dsc {
  const fields = parseControl(stripClearSignature(text));
  required(fields, 'Format', '.dsc');
  const source = assertDebianName(required(fields, 'Source', '.dsc'));
  const version = assertDebianVersion(required(fields, 'Version', '.dsc'));
  const files = new Map<string, ListedFile>();
  for (const entry of entries(controlField(fields, 'Files'))) {
    const [md5, size, name] = entry;
    if (entry.length !== 3) throw errors.badRequest('The .dsc file\'s Files field has a malformed line');
    assertUploadFileName(name);
    if (!SOURCE_PART.test(name)) throw errors.badRequest(`The .dsc file lists ${name}, which is not a source tarball or diff`);
    if (files.has(name)) throw errors.badRequest(`The .dsc file lists ${name} twice`);
    files.set(name, { name, ...md5AndSize('.dsc', md5, size) });
  }
  if (files.size === 0) throw errors.badRequest('The .dsc file lists no files');
  addChecksums('.dsc', fields, files);
  return { source, version, files: [...files.values()], fields: [...fields] };
}
