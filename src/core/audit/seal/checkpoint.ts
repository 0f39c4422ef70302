// C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the note text that commits to the
// audit log's Merkle tree at one size, "<origin>\n<tree size>\n<base64 root hash>\n" plus
// optional extension lines, signed as a signed note. openCheckpoint is what `trove audit verify`
// and anyone holding our published verifier keys run on a checkpoint file.
import { SealFormatError } from './seal-error.js';
import { HASH_SIZE, type Hash } from './merkle.js';
import {
  decodeStrictBase64,
  isValidKeyName,
  openNote,
  signNote,
  textProblem,
  type NoteSigner,
  type NoteVerifierKey,
} from './signed-note.js';

export interface Checkpoint {
  origin: string;
  treeSize: number;
  rootHash: Hash;
  /** Opaque extra lines; the spec discourages them (monitors cannot audit them), so Trove writes none. */
  extensions: string[];
}

export type CheckpointVerification =
  | { ok: true; checkpoint: Checkpoint; verifiedBy: NoteVerifierKey[] }
  | { ok: false; code: 'malformed' | 'unknown_key' | 'bad_signature' | 'wrong_origin'; reason: string };

export function formatCheckpoint(checkpoint: Checkpoint): string {
  // We hold our own origin to the spec's SHOULD (a key-name-like string) so that it can also be
  // the signing key's name, as the spec recommends.
  if (!isValidKeyName(checkpoint.origin)) throw new SealFormatError(`invalid origin ${JSON.stringify(checkpoint.origin)}`);
  if (!Number.isSafeInteger(checkpoint.treeSize) || checkpoint.treeSize < 0) {
    throw new SealFormatError(`invalid tree size ${checkpoint.treeSize}`);
  }
  if (checkpoint.rootHash.length !== HASH_SIZE) throw new SealFormatError('a root hash is 32 bytes');
  for (const line of checkpoint.extensions) {
    if (line === '' || line.includes('\n')) throw new SealFormatError('extension lines must be single non-empty lines');
  }
  const lines = [checkpoint.origin, String(checkpoint.treeSize), Buffer.from(checkpoint.rootHash).toString('base64'), ...checkpoint.extensions];
  const text = lines.map((line) => `${line}\n`).join('');
  const problem = textProblem(text);
  if (problem) throw new SealFormatError(`invalid checkpoint: ${problem}`);
  return text;
}

/** Parses a checkpoint's note text (not the signed note: use openCheckpoint for that). */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new SealFormatError('checkpoint must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw new SealFormatError('checkpoint needs origin, tree size and root hash lines');
  const [origin, size, root, ...extensions] = lines;
  if (lines.some((line) => line === '')) throw new SealFormatError('checkpoint lines must not be empty');
  // Decimal without leading zeros: exactly one spelling per size, so the signed text is unique.
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) {
    throw new SealFormatError(`invalid tree size ${JSON.stringify(size)}`);
  }
  const rootHash = decodeStrictBase64(root);
  if (rootHash === null || rootHash.length !== HASH_SIZE) throw new SealFormatError(`invalid root hash ${JSON.stringify(root)}`);
  return { origin, treeSize: Number(size), rootHash, extensions };
}

export function signCheckpoint(checkpoint: Checkpoint, signers: NoteSigner | readonly NoteSigner[]): string {
  return signNote(formatCheckpoint(checkpoint), Array.isArray(signers) ? signers : [signers as NoteSigner]);
}

/**
 * Verifies a signed checkpoint against trusted keys and parses it. Pass `origin` to refuse a
 * correctly signed checkpoint of another log (another Trove instance with a key we also trust).
 */
export function openCheckpoint(
  note: string,
  trusted: readonly NoteVerifierKey[],
  options: { origin?: string } = {},
): CheckpointVerification {
  const opened = openNote(note, trusted);
  if (!opened.ok) return opened;
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(opened.text);
  } catch (error) {
    if (error instanceof SealFormatError) return { ok: false, code: 'malformed', reason: error.message };
    throw error;
  }
  if (options.origin !== undefined && checkpoint.origin !== options.origin) {
    return {
      ok: false,
      code: 'wrong_origin',
      reason: `checkpoint is for ${JSON.stringify(checkpoint.origin)}, expected ${JSON.stringify(options.origin)}`,
    };
  }
  return { ok: true, checkpoint, verifiedBy: opened.verifiedBy };
}
