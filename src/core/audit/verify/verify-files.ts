// The files `trove audit verify` reads offline (docs/architecture.md#tamper-evidence):
// - a JSONL export: one record per line, as the audit events API serves it (leaf_hash included;
//   a filtered export adds "inclusion_proof": {tree_size, leaf_index, hashes}), oldest first;
// - a checkpoints file, either
//     * JSON: what GET /api/v4/audit_events/checkpoints returns, an array of
//       {tree_size, root_hash, key_name, created_at, checkpoint} in any order (the API: newest
//       first), or a single such object (GET /api/v4/audit_events/checkpoint); or
//     * text: the signed notes one after the other, separated by a line holding only "---"
//       (GET /api/v4/audit_events/checkpoints/all.txt, oldest first);
// - trusted key files: one verifier key "<name>+<hex key ID>+<base64 key>" per line (what
//   GET /api/v4/audit_events/checkpoint/public_key returns); blank lines and "#" comments ignored.
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseVerifierKey, type NoteVerifierKey } from '../seal/signed-note.js';
import { SealFormatError } from '../seal/seal-error.js';
import { InvalidEvent, type CheckpointInput, type VerifyEvent } from './verify-log.js';

export const CHECKPOINT_SEPARATOR = '---';

/** Every signed note, oldest first, in the text form of a checkpoints file. */
export function formatCheckpointsText(notes: Iterable<string>): string {
  return [...notes].map((note, i) => checkpointsTextChunk(note, i === 0)).join('');
}

/** One note of the text form; every note but the first is preceded by the separator line. */
export function checkpointsTextChunk(note: string, first: boolean): string {
  return `${first ? '' : `${CHECKPOINT_SEPARATOR}\n`}${note.endsWith('\n') ? note : `${note}\n`}`;
}

/** Splits the text form into notes. */
export function parseCheckpointsText(text: string, name = 'checkpoints'): CheckpointInput[] {
  const lines = text.replaceAll('\r\n', '\n').split('\n');
  const notes: CheckpointInput[] = [];
  let current: string[] = [];
  const flush = () => {
    // Surrounding blank lines are not part of a note (its inner blank line is kept).
    while (current.length && current[0].trim() === '') current.shift();
    while (current.length && current[current.length - 1].trim() === '') current.pop();
    if (current.length) notes.push({ note: `${current.join('\n')}\n`, source: `${name} #${notes.length + 1}` });
    current = [];
  };
  for (const line of lines) {
    if (line === CHECKPOINT_SEPARATOR) flush();
    else current.push(line);
  }
  flush();
  return notes;
}

/** The JSON form: an array of checkpoint objects (or one object), each with a "checkpoint" note. */
export function parseCheckpointsJson(text: string, name = 'checkpoints'): CheckpointInput[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SealFormatError(`${name}: not valid JSON (${(error as Error).message})`);
  }
  const items = Array.isArray(parsed) ? parsed : [parsed];
  return items.map((item: unknown, index) => {
    const where = Array.isArray(parsed) ? `${name}[${index}]` : name;
    if (typeof item !== 'object' || item === null || typeof (item as { checkpoint?: unknown }).checkpoint !== 'string') {
      throw new SealFormatError(`${where}: expected an object with a "checkpoint" signed note`);
    }
    const { checkpoint, tree_size, root_hash } = item as { checkpoint: string; tree_size?: unknown; root_hash?: unknown };
    const input: CheckpointInput = { note: checkpoint, source: where };
    if (tree_size !== undefined && tree_size !== null) input.declaredTreeSize = Number(tree_size);
    if (typeof root_hash === 'string') input.declaredRootHash = root_hash;
    return input;
  });
}

/** Either form, told apart by the first character. */
export function parseCheckpointsFile(text: string, name = 'checkpoints'): CheckpointInput[] {
  const start = text.trimStart()[0];
  return start === '[' || start === '{' ? parseCheckpointsJson(text, name) : parseCheckpointsText(text, name);
}

export async function readCheckpointsFile(path: string): Promise<CheckpointInput[]> {
  return parseCheckpointsFile(await readFile(path, 'utf8'), path);
}

/** Verifier keys, one per line. */
export function parseTrustedKeys(text: string, name = 'keys'): NoteVerifierKey[] {
  const keys: NoteVerifierKey[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    try {
      keys.push(parseVerifierKey(line));
    } catch (error) {
      throw new SealFormatError(`${name}:${index + 1}: ${(error as Error).message}`);
    }
  });
  return keys;
}

export async function readTrustedKeysFile(path: string): Promise<NoteVerifierKey[]> {
  const keys = parseTrustedKeys(await readFile(path, 'utf8'), path);
  if (keys.length === 0) throw new SealFormatError(`${path}: no verifier key in the file`);
  return keys;
}

/** The records of a JSONL export, streamed line by line (constant memory). */
export async function* readJsonlEvents(path: string): AsyncGenerator<VerifyEvent> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let number = 0;
  for await (const line of lines) {
    number++;
    if (line.trim() === '') continue;
    yield parseJsonlLine(line, `${path}:${number}`);
  }
}

export function parseJsonlLine(line: string, where: string): VerifyEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return new InvalidEvent(`${where} is not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return new InvalidEvent(`${where} is not a JSON object`);
  return value as Record<string, unknown>;
}
