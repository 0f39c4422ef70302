import type { Entry, ZipFile } from 'yauzl';
import { yauzlLibrary } from '../../lazy-module.js';
import { errors } from '../../core/errors.js';

// Reading an uploaded package zip: every entry name is checked (the consumer's Composer extracts
// them into vendor/), and composer.json is read from the top of the zip, or from its single top
// folder as in the archives GitHub and GitLab make of a tag. Only composer.json is decompressed.

/** Entries a zip may list: the central directory is read whole, and a real package has far fewer. */
export const MAX_ZIP_ENTRIES = 100_000;
/** composer.json is a manifest: past this it is refused, never decompressed further. */
export const MAX_COMPOSER_JSON_BYTES = 1024 * 1024;

export type ComposerJson = Record<string, unknown>;

export interface PackageZip {
  composerJson: ComposerJson;
  /** The single top folder composer.json was found in ("acme-lib-1a2b3c/"), or '' at the top. */
  folder: string;
}

function refuse(message: string): never {
  throw errors.badRequest(message);
}

function printable(value: string): string {
  return value.slice(0, 100).replace(/[^\x20-\x7e]/g, '?');
}

/**
 * An entry name that extracts below the target folder: relative, "/"-separated, no "." or ".."
 * segment, no control character. yauzl refuses the worst of these itself; this says why in
 * Trove's words and also covers what it lets through (NUL, "./", a drive letter).
 */
export function assertEntryName(name: string): void {
  const bad = () => refuse(`The zip holds an entry with an unsafe path: "${printable(name)}"`);
  if (name === '' || name.includes('\\') || /[\u0000-\u001f\u007f]/.test(name)) bad();
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) bad();
  const segments = name.replace(/\/$/, '').split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) bad();
}

async function openZip(bytes: Buffer): Promise<ZipFile> {
  const yauzl = await yauzlLibrary();
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true, validateEntrySizes: true, decodeStrings: true, strictFileNames: true }, (error, zip) => {
      if (error || !zip) reject(errors.badRequest(`The upload is not a readable zip: ${error?.message ?? 'no zip'}`));
      else resolve(zip);
    });
  });
}

function listEntries(zip: ZipFile): Promise<Entry[]> {
  if (zip.entryCount > MAX_ZIP_ENTRIES) refuse(`The zip has more than ${MAX_ZIP_ENTRIES} entries`);
  return new Promise((resolve, reject) => {
    const entries: Entry[] = [];
    zip.on('entry', (entry: Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    // yauzl's own refusals ("invalid relative path: ../x", "absolute path: /x") are the upload's fault.
    zip.on('error', (error: Error) => reject(errors.badRequest(`The zip holds an entry with an unsafe path or is damaged: ${printable(error.message)}`)));
    zip.readEntry();
  });
}

function readEntry(zip: ZipFile, entry: Entry): Promise<Buffer> {
  if (entry.uncompressedSize > MAX_COMPOSER_JSON_BYTES) refuse(`composer.json is larger than ${MAX_COMPOSER_JSON_BYTES} bytes`);
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error || !stream) return reject(errors.badRequest(`composer.json cannot be read from the zip: ${error?.message ?? ''}`));
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => resolve(Buffer.concat(chunks)));
      stream.on('error', (e: Error) => reject(errors.badRequest(`composer.json cannot be read from the zip: ${printable(e.message)}`)));
    });
  });
}

/** Where composer.json is: at the top, or in the one folder every entry is in. */
function findComposerJson(entries: Entry[]): { entry: Entry; folder: string } {
  const atTop = entries.find((e) => e.fileName === 'composer.json');
  if (atTop) return { entry: atTop, folder: '' };
  const tops = new Set(entries.map((e) => e.fileName.split('/')[0]));
  if (tops.size === 1) {
    const folder = `${[...tops][0]}/`;
    const inFolder = entries.find((e) => e.fileName === `${folder}composer.json`);
    if (inFolder) return { entry: inFolder, folder };
  }
  return refuse('The zip has no composer.json at its top (or in its single top folder)');
}

/** Checks every entry of the zip and returns its composer.json, parsed (an object). */
export async function readPackageZip(bytes: Buffer): Promise<PackageZip> {
  const zip = await openZip(bytes);
  try {
    const entries = await listEntries(zip);
    for (const entry of entries) assertEntryName(entry.fileName);
    const { entry, folder } = findComposerJson(entries);
    const text = (await readEntry(zip, entry)).toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      // GitLab answers an unreadable composer.json with 422.
      throw errors.unprocessable(`composer.json is not valid JSON: ${printable((error as Error).message)}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) refuse('composer.json is not a JSON object');
    return { composerJson: parsed as ComposerJson, folder };
  } finally {
    zip.close();
  }
}
