import type { Db } from '../../../storage/db/database.js';
import { parseCheckpoint } from '../seal/checkpoint.js';
import { CompactRange } from '../seal/compact-range.js';
import { hashFromHex, hashToHex } from '../seal/merkle.js';
import { parseSignedNote } from '../seal/signed-note.js';

// The consistency half of the self-check (docs/architecture.md#tamper-evidence): does the log in the database still extend
// a signed checkpoint? From a tree already proven (`ProvenTree`, the empty tree at first), the
// leaf hashes of the events after it are appended in seq order; every seq up to the checkpoint's
// tree size must be there, and the root must be the checkpoint's. That is an RFC 6962
// consistency proof computed from the leaves themselves, in constant memory (a compact range).

const BATCH = 5000;

/**
 * A tree whose root a signed checkpoint confirmed: its size and its compact range, and where
 * the proof started (0, or the checkpoint an administrator acknowledged after an alarm).
 */
export interface ProvenTree {
  from: number;
  size: number;
  range: CompactRange;
}

export interface CheckpointRow {
  tree_size: number;
  root_hash: string;
  note: string;
  frontier: string;
}

export type ConsistencyResult = { ok: true; tree: ProvenTree } | { ok: false; reason: string };

export const EMPTY_TREE: ProvenTree = { from: 0, size: 0, range: CompactRange.empty() };

export async function latestCheckpointRow(db: Db): Promise<CheckpointRow | undefined> {
  const row = await db.selectFrom('audit_checkpoints').select(['tree_size', 'root_hash', 'note', 'frontier']).orderBy('tree_size', 'desc').limit(1).executeTakeFirst();
  return row && { ...row, tree_size: Number(row.tree_size) };
}

/** The tree of a stored checkpoint as its row describes it (for the acknowledged starting point only). */
export function storedTree(row: CheckpointRow): ProvenTree {
  return { from: row.tree_size, size: row.tree_size, range: CompactRange.fromJSON(JSON.parse(row.frontier)) };
}

/** Whether the log extends `checkpoint`, starting from `proven` (which it must extend too). */
export async function proveExtends(db: Db, proven: ProvenTree, checkpoint: CheckpointRow): Promise<ConsistencyResult> {
  const size = checkpoint.tree_size;
  const claimed = claimedByNote(checkpoint);
  if (claimed) return { ok: false, reason: claimed };
  if (size < proven.size) {
    return { ok: false, reason: `the last checkpoint in the database has tree size ${size}, but checkpoint ${proven.size} was signed before: checkpoints were removed` };
  }
  // The events already proven must all still be there (a tail deleted while Trove runs): one count on the key.
  const kept = await db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('id', '>', proven.from)
    .where('id', '<=', proven.size)
    .executeTakeFirst();
  if (Number(kept?.n ?? 0) !== proven.size - proven.from) {
    return { ok: false, reason: `${proven.size - proven.from - Number(kept?.n ?? 0)} of the events ${proven.from + 1}..${proven.size} sealed by the signed checkpoint of tree size ${proven.size} are missing from the log: events were deleted or the database was rolled back` };
  }
  const range = CompactRange.fromJSON(proven.range.toJSON());
  for (let from = proven.size; from < size; from += BATCH) {
    const to = Math.min(from + BATCH, size);
    const rows = await db.selectFrom('audit_events').select(['seq', 'leaf_hash']).where('id', '>', from).where('id', '<=', to).orderBy('id').execute();
    for (let i = 0; i < to - from; i++) {
      const row = rows[i];
      const seq = from + i + 1;
      if (!row || Number(row.seq) !== seq || !row.leaf_hash) {
        return { ok: false, reason: `seq ${seq} is missing from the log (or has no leaf hash), but the signed checkpoint of tree size ${size} covers it: events were deleted or the database was rolled back` };
      }
      range.append(hashFromHex(row.leaf_hash));
    }
  }
  const root = hashToHex(range.root());
  if (root !== checkpoint.root_hash) {
    return { ok: false, reason: `the root of events 1..${size} is ${root}, but the signed checkpoint of tree size ${size} says ${checkpoint.root_hash}: sealed events were modified, replaced or reordered` };
  }
  return { ok: true, tree: { from: proven.from, size, range } };
}

/** Why the row's columns disagree with its signed note, or null. */
function claimedByNote(checkpoint: CheckpointRow): string | null {
  try {
    const parsed = parseCheckpoint(parseSignedNote(checkpoint.note).text);
    if (parsed.treeSize === checkpoint.tree_size && hashToHex(parsed.rootHash) === checkpoint.root_hash) return null;
    return `the checkpoint row of tree size ${checkpoint.tree_size} does not match its signed note (tree size ${parsed.treeSize}, root ${hashToHex(parsed.rootHash)})`;
  } catch (error) {
    return `the checkpoint row of tree size ${checkpoint.tree_size} holds no valid signed checkpoint: ${(error as Error).message}`;
  }
}
