import { errors } from '../../core/errors.js';
import { controlField, parseControl } from './debian-control.js';

// A Debian upload control file (deb-changes(5)): one deb822 paragraph, often clear-signed with
// OpenPGP. What Trove needs of it: the distribution the upload goes to, and each listed file with
// its size, section and checksums, to match against the files already uploaded to incoming.

/** A file a control file lists (Files and Checksums-* of a .changes or .dsc). */
export interface ListedFile {
  name: string;
  size: number;
  md5: string;
  sha1?: string;
  sha256?: string;
}

export interface ChangesFile extends ListedFile {
  /** The Files field's section ("contrib/utils"): its prefix before "/" names the component. */
  section: string;
}

export interface Changes {
  source: string;
  version: string;
  architecture: string;
  distribution: string;
  files: ChangesFile[];
}

const SIGNED_HEADER = '-----BEGIN PGP SIGNED MESSAGE-----';
const SIGNATURE_START = '-----BEGIN PGP SIGNATURE-----';
const HEX = (length: number) => new RegExp(`^[0-9a-f]{${length}}$`);

/**
 * The signed text of an OpenPGP clear-signed message (RFC 4880 7.1: the armor header lines up to
 * the first blank line are dropped, dash-escaped lines unescaped), or the text itself when unsigned.
 * The signature is not verified: who uploaded is the authenticated caller, as for every upload.
 */
export function stripClearSignature(text: string): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const start = lines.findIndex((line) => line.trim() !== '');
  if (start < 0 || lines[start].trimEnd() !== SIGNED_HEADER) return text;
  let index = start + 1;
  while (index < lines.length && lines[index].trim() !== '') index += 1;
  const end = lines.findIndex((line, at) => at > index && line.trimEnd() === SIGNATURE_START);
  if (end < 0) throw errors.badRequest('The file is clear-signed but its signature block is missing');
  return lines
    .slice(index + 1, end)
    .map((line) => (line.startsWith('- ') ? line.slice(2) : line))
    .join('\n');
}

/** A field the control file must have (`what`: ".changes", ".dsc", ".buildinfo"). */
export function required(fields: Map<string, string>, name: string, what = '.changes'): string {
  const value = controlField(fields, name)?.trim();
  if (!value) throw errors.badRequest(`The ${what} file has no ${name} field`);
  return value;
}

/** The lines of a multi-line field (Files, Checksums-*), each split on whitespace. */
export function entries(value: string | undefined): string[][] {
  return (value ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => line.split(/\s+/));
}

/** A Files line's MD5 and size, checked. */
export function md5AndSize(what: string, md5: string | undefined, size: string | undefined): { md5: string; size: number } {
  if (!HEX(32).test(md5 ?? '') || !/^\d{1,15}$/.test(size ?? '')) throw errors.badRequest(`The ${what} file's Files field has a malformed line`);
  return { md5: md5!, size: Number(size) };
}

function checksums(what: string, fields: Map<string, string>, name: string, length: number, files: Map<string, ListedFile>): Map<string, string> {
  const sums = new Map<string, string>();
  for (const entry of entries(controlField(fields, name))) {
    const [sum, size, fileName] = entry;
    if (entry.length !== 3 || !HEX(length).test(sum ?? '') || !/^\d+$/.test(size ?? '')) throw errors.badRequest(`The ${what} file's ${name} has a malformed line`);
    const file = files.get(fileName);
    if (!file) throw errors.badRequest(`The ${what} file's ${name} lists ${fileName}, which its Files field does not`);
    if (Number(size) !== file.size) throw errors.badRequest(`The ${what} file gives two sizes for ${fileName}`);
    sums.set(fileName, sum);
  }
  return sums;
}

/** Adds the Checksums-Sha1 and Checksums-Sha256 of each file its Files field lists (`what`: ".changes", ".dsc"). */
export function addChecksums(what: string, fields: Map<string, string>, files: Map<string, ListedFile>): void {
  for (const [fileName, sum] of checksums(what, fields, 'Checksums-Sha1', 40, files)) files.get(fileName)!.sha1 = sum;
  for (const [fileName, sum] of checksums(what, fields, 'Checksums-Sha256', 64, files)) files.get(fileName)!.sha256 = sum;
}

/** Which of a listed file's size and checksums the stored file does not have (an unlisted SHA is not compared), or null. */
export function mismatchOf(listed: ListedFile, stored: { size: number; md5: string; sha1: string; sha256: string }): string | null {
  if (listed.size !== stored.size) return 'size';
  if (listed.md5 !== stored.md5) return 'MD5 checksum';
  if (listed.sha1 !== undefined && listed.sha1 !== stored.sha1) return 'SHA1 checksum';
  if (listed.sha256 !== undefined && listed.sha256 !== stored.sha256) return 'SHA256 checksum';
  return null;
}

/** Parses a .changes file (clear-signed or not); refuses one that lacks what an upload needs. */
export function parseChanges(text: string): Changes {
  const fields = parseControl(stripClearSignature(text));
  required(fields, 'Format');
  const files = new Map<string, ChangesFile>();
  for (const entry of entries(controlField(fields, 'Files'))) {
    const [md5, size, section, , name] = entry;
    if (entry.length !== 5) throw errors.badRequest('The .changes file\'s Files field has a malformed line');
    if (files.has(name)) throw errors.badRequest(`The .changes file lists ${name} twice`);
    files.set(name, { name, section, ...md5AndSize('.changes', md5, size) });
  }
  if (files.size === 0) throw errors.badRequest('The .changes file lists no files');
  addChecksums('.changes', fields, files);
  return {
    source: required(fields, 'Source').split(/\s+/)[0],
    version: required(fields, 'Version'),
    architecture: required(fields, 'Architecture'),
    distribution: required(fields, 'Distribution').split(/\s+/)[0],
    files: [...files.values()],
  };
}

/** The component a file goes to: the prefix of its section ("contrib/utils"), else main (Debian's archive convention). */
export function componentOf(file: ChangesFile): string {
  const slash = file.section.indexOf('/');
  return slash > 0 ? file.section.slice(0, slash) : 'main';
}
