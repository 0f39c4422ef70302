import type { Entry, ZipFile } from 'yauzl';
import { yauzlLibrary } from '../../lazy-module.js';
import { errors, isTroveError } from '../../core/errors.js';
import { checkGoFilePath } from './go-names.js';

// The three files of a Go module version as `go help goproxy` defines them, checked as the go
// command checks what a proxy serves (golang.org/x/mod/zip CheckZip, modfile's module directive,
// the .info document), so that nothing stored here is something go would refuse to use.

/** golang.org/x/mod/zip: MaxZipFile (the zip and its extracted content) and MaxGoMod / MaxLICENSE. */
export const GO_MAX_ZIP_BYTES = 500 * 1024 * 1024;
export const GO_MAX_MOD_BYTES = 16 * 1024 * 1024;
const GO_MAX_LICENSE_BYTES = 16 * 1024 * 1024;
/** An .info document is a few dozen bytes. */
export const GO_MAX_INFO_BYTES = 64 * 1024;

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function refuse(what: string, detail: string): never {
  throw errors.badRequest(`${what} is invalid: ${detail}`);
}

/** Text that must be UTF-8 (go.mod, .info): a decoder that throws rather than replacing bad bytes. */
function utf8(bytes: Buffer, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    refuse(what, 'not UTF-8 text');
  }
}

/** `.info`: the JSON object {"Version": "<version>", "Time": "<RFC 3339>"} of this very version. */
export function checkGoInfo(bytes: Buffer, version: string): void {
  let info: unknown;
  try {
    info = JSON.parse(utf8(bytes, '.info'));
  } catch (error) {
    if (error instanceof SyntaxError) refuse('.info', 'not JSON');
    throw error;
  }
  if (typeof info !== 'object' || info === null || Array.isArray(info)) refuse('.info', 'not a JSON object');
  const { Version, Time } = info as Record<string, unknown>;
  if (Version !== version) refuse('.info', `Version is ${JSON.stringify(Version)}, not ${version}`);
  if (typeof Time !== 'string' || !RFC3339.test(Time) || Number.isNaN(Date.parse(Time))) refuse('.info', 'Time must be an RFC 3339 time');
}

/** The module path a go.mod's `module` directive names (quoted or not), or null when it has none. */
export function goModModulePath(text: string): string | null {
  const found: string[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/\/\/.*$/, '').trim();
    const match = /^module\s+(?:"((?:[^"\\]|\\.)*)"|`([^`]*)`|(\S+))$/.exec(line);
    if (match) found.push(match[1] ?? match[2] ?? match[3]!);
    else if (/^module\s*\(/.test(line)) return null;
  }
  return found.length === 1 ? found[0]! : null;
}

/** `.mod`: a go.mod whose module directive names this module. */
export function checkGoMod(bytes: Buffer, module: string): void {
  const named = goModModulePath(utf8(bytes, '.mod'));
  if (named === null) refuse('.mod', 'no single module directive');
  if (named !== module) refuse('.mod', `its module directive names ${named}, not ${module}`);
}

async function openZip(path: string): Promise<ZipFile> {
  const yauzl = await yauzlLibrary();
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: true, strictFileNames: true }, (error, zip) => (error ? reject(error) : resolve(zip)));
  });
}

/** Each entry of the central directory, without reading any file's data. */
async function* entriesOf(zip: ZipFile): AsyncGenerator<Entry> {
  for (;;) {
    const next = await new Promise<Entry | null>((resolve, reject) => {
      const cleanup = () => zip.removeAllListeners('entry').removeAllListeners('end').removeAllListeners('error');
      zip.once('entry', (entry: Entry) => (cleanup(), resolve(entry)));
      zip.once('end', () => (cleanup(), resolve(null)));
      zip.once('error', (error: Error) => (cleanup(), reject(error)));
      zip.readEntry();
    });
    if (next === null) return;
    yield next;
  }
}

/**
 * `.zip` (a file on disk): every entry is `<module>@<version>/` and a clean relative path with
 * Go's file-path characters, no two names equal ignoring case, at most 500 MiB unpacked, go.mod
 * and LICENSE at most 16 MiB: golang.org/x/mod/zip's CheckZip. Only the central directory is read.
 */
export async function checkGoZip(path: string, module: string, version: string): Promise<void> {
  const prefix = `${module}@${version}/`;
  let zip: ZipFile;
  try {
    zip = await openZip(path);
  } catch (error) {
    refuse('.zip', `not a readable zip file (${(error as Error).message})`);
  }
  /** Folded name → whether it is a directory. */
  const seen = new Map<string, boolean>();
  let total = 0;
  try {
    for await (const entry of entriesOf(zip)) {
      const name = entry.fileName;
      if (!name.startsWith(prefix)) refuse('.zip', `${JSON.stringify(name)} does not start with ${prefix}`);
      let inner = name.slice(prefix.length);
      if (inner === '') continue;
      const isDirectory = inner.endsWith('/');
      if (isDirectory) inner = inner.slice(0, -1);
      const problem = checkGoFilePath(inner);
      if (problem) refuse('.zip', `${JSON.stringify(name)}: ${problem}`);
      // A directory may be listed again; a file may not, nor share a name with a directory.
      const folded = inner.toLowerCase();
      const before = seen.get(folded);
      if (before !== undefined && !(before && isDirectory)) refuse('.zip', `${JSON.stringify(name)} appears twice (names are compared ignoring case)`);
      seen.set(folded, isDirectory);
      if (isDirectory) continue;
      const base = inner.slice(inner.lastIndexOf('/') + 1);
      if (base.toLowerCase() === 'go.mod' && inner !== 'go.mod') refuse('.zip', `${JSON.stringify(name)}: a go.mod belongs in the module root, spelled go.mod (a folder with its own is another module)`);
      total += entry.uncompressedSize;
      if (total > GO_MAX_ZIP_BYTES) refuse('.zip', `unpacks to more than ${GO_MAX_ZIP_BYTES} bytes`);
      if (inner === 'go.mod' && entry.uncompressedSize > GO_MAX_MOD_BYTES) refuse('.zip', `go.mod is larger than ${GO_MAX_MOD_BYTES} bytes`);
      if (inner === 'LICENSE' && entry.uncompressedSize > GO_MAX_LICENSE_BYTES) refuse('.zip', `LICENSE is larger than ${GO_MAX_LICENSE_BYTES} bytes`);
    }
  } catch (error) {
    zip.close();
    if (!isTroveError(error) && error instanceof Error) {
      // yauzl's own refusals: absolute paths, ".." segments, backslashes, broken records.
      refuse('.zip', error.message);
    }
    throw error;
  }
}
