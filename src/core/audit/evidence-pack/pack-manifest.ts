// MANIFEST.sha256 of an evidence pack: what `sha256sum` writes ("<hex>  <name>" a line, names
// relative to the pack's folder), so that `sha256sum -c MANIFEST.sha256` checks it too. The
// verifier also refuses a file the manifest does not list: nothing may be slipped into a pack.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PACK_FILES } from './pack-layout.js';

export function sha256Hex(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

export function formatManifest(entries: ReadonlyArray<{ name: string; sha256: string }>): string {
  return entries.map((entry) => `${entry.sha256}  ${entry.name}\n`).join('');
}

/** A file of the pack that is not as the manifest says. */
export interface ManifestProblem {
  file: string;
  reason: string;
}

const LINE = /^([0-9a-f]{64}) [ *](.+)$/;

/** name -> sha256 of the manifest's lines, or the problem with the manifest itself. */
export function parseManifest(text: string): Map<string, string> | ManifestProblem {
  const entries = new Map<string, string>();
  const lines = text.split('\n');
  if (lines.pop() !== '') return { file: PACK_FILES.manifest, reason: `${PACK_FILES.manifest} does not end with a newline` };
  for (const [index, line] of lines.entries()) {
    const match = LINE.exec(line);
    if (!match || entries.has(match[2])) return { file: PACK_FILES.manifest, reason: `${PACK_FILES.manifest} line ${index + 1} is not a "<sha256>  <file>" line of a file listed once` };
    entries.set(match[2], match[1]);
  }
  return entries;
}

/** Every file below `folder`, as "a/b" names (recursing by hand: readdir's recursive needs Node 18.17+). */
async function filesUnder(folder: string, prefix = ''): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await readdir(join(folder, prefix), { withFileTypes: true })) {
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) names.push(...(await filesUnder(folder, name)));
    else names.push(name);
  }
  return names;
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Checks every file of the folder against MANIFEST.sha256 and returns the first problem, or
 * null. `deferred` files are only checked to be listed: the caller hashes them while reading them
 * (events.jsonl, read once for both) and compares with `expected(name)`.
 */
export async function checkManifest(folder: string, deferred: readonly string[] = []): Promise<{ problem: ManifestProblem | null; expected: Map<string, string> }> {
  let text: string;
  try {
    text = await readFile(join(folder, PACK_FILES.manifest), 'utf8');
  } catch {
    return { problem: { file: PACK_FILES.manifest, reason: `no ${PACK_FILES.manifest} in ${folder}` }, expected: new Map() };
  }
  const expected = parseManifest(text);
  if (!(expected instanceof Map)) return { problem: expected, expected: new Map() };
  const present = new Set(await filesUnder(folder));
  for (const name of [...present].sort()) {
    if (name !== PACK_FILES.manifest && !expected.has(name)) return { problem: { file: name, reason: `${name} is not listed in ${PACK_FILES.manifest}: it is not part of the pack` }, expected };
  }
  for (const [name, sha256] of expected) {
    if (!present.has(name)) return { problem: { file: name, reason: `${name} is listed in ${PACK_FILES.manifest} but missing` }, expected };
    if (deferred.includes(name)) continue;
    const actual = await fileSha256(join(folder, name));
    if (actual !== sha256) return { problem: { file: name, reason: mismatch(name, actual, sha256) }, expected };
  }
  return { problem: null, expected };
}

export function mismatch(name: string, actual: string, listed: string): string {
  return `${name} has SHA-256 ${actual}, but ${PACK_FILES.manifest} says ${listed}: the file was changed`;
}
