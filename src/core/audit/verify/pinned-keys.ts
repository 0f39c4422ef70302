// The keys `trove audit verify` trusts (docs/architecture.md#tamper-evidence): only those the operator pinned OUTSIDE the
// data folder, by `--trusted-key <file>` (repeatable) and/or TROVE_AUDIT_TRUSTED_KEYS, plus the
// keys that rotation statements signed by a trusted key add (seal/key-rotation.ts). Never the
// .vkey files found next to the database: whoever can rewrite the log can write those too.
//
// TROVE_AUDIT_TRUSTED_KEYS: entries separated by commas or newlines, each a verifier key
// ("<name>+<hex key ID>+<base64 key>", as GET /api/v4/audit_events/checkpoint/public_key
// prints it) or the path of a file of such keys (one per line, "#" comments).
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { SealFormatError } from '../seal/seal-error.js';
import { parseVerifierKey, type NoteVerifierKey } from '../seal/signed-note.js';
import { readTrustedKeysFile } from './verify-files.js';

export const TRUSTED_KEYS_ENV = 'TROVE_AUDIT_TRUSTED_KEYS';

export const NO_PINNED_KEY =
  'no trusted key is pinned, so nothing could be trusted: give --trusted-key <file> or set TROVE_AUDIT_TRUSTED_KEYS ' +
  '(the public key of GET /api/v4/audit_events/checkpoint, saved where the Trove host cannot write). ' +
  'Keys in the data folder are not trusted: whoever can rewrite the log can write them too.';

export interface PinnedKeys {
  keys: NoteVerifierKey[];
  /** The files and environment entries they came from. */
  sources: string[];
}

/** Whether `path` lies inside `folder` (after resolving symbolic links where they exist). */
function inside(path: string, folder: string): boolean {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  const rel = relative(real(folder), real(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * The pinned keys of `files` and of the environment value `fromEnv`. A key file inside one of
 * `dataFolders` (the data folder, the key folder) is refused: it would pin nothing.
 */
export async function readPinnedKeys(files: readonly string[], fromEnv: string | undefined, dataFolders: readonly string[]): Promise<PinnedKeys> {
  const keys: NoteVerifierKey[] = [];
  const sources: string[] = [];
  const readFileKeys = async (path: string) => {
    const folder = dataFolders.find((f) => inside(path, f));
    if (folder) throw new SealFormatError(`${path} is inside ${folder}: a pinned key must be kept outside the data folder`);
    keys.push(...(await readTrustedKeysFile(path)));
    sources.push(path);
  };
  for (const file of files) await readFileKeys(file);
  for (const entry of (fromEnv ?? '').split(/[,\n]/).map((e) => e.trim()).filter(Boolean)) {
    const key = asVerifierKey(entry);
    if (key) {
      keys.push(key);
      sources.push(TRUSTED_KEYS_ENV);
    } else {
      await readFileKeys(entry);
    }
  }
  return { keys, sources };
}

/** The entry as a verifier key, or null when it is not one (then it names a file). */
function asVerifierKey(entry: string): NoteVerifierKey | null {
  try {
    return parseVerifierKey(entry);
  } catch {
    return null;
  }
}
