import type { Db } from '../../storage/db/database.js';
import { errors } from '../errors.js';
import { consistencyProof, hashFromHex, hashToHex, inclusionProof, type Hash } from './seal/merkle.js';

// Inclusion and consistency proofs (RFC 9162 PATH / PROOF) against sealed tree sizes. They are
// computed from the stored leaf hashes of the first `treeSize` events: O(treeSize) per proof,
// fine for audits and exports; a stored interior-node cache would make it O(log n) if needed.

export interface CheckpointRow {
  tree_size: number;
  root_hash: string;
  note: string;
  key_name: string;
  created_at: string;
}

export async function latestCheckpoint(db: Db): Promise<CheckpointRow | undefined> {
  return db.selectFrom('audit_checkpoints').select(['tree_size', 'root_hash', 'note', 'key_name', 'created_at']).orderBy('tree_size', 'desc').limit(1).executeTakeFirst();
}

export async function checkpointAt(db: Db, treeSize: number): Promise<CheckpointRow | undefined> {
  return db.selectFrom('audit_checkpoints').select(['tree_size', 'root_hash', 'note', 'key_name', 'created_at']).where('tree_size', '=', treeSize).executeTakeFirst();
}

async function leafHashes(db: Db, treeSize: number): Promise<Hash[]> {
  const rows = await db.selectFrom('audit_events').select(['seq', 'leaf_hash']).where('seq', '<=', treeSize).orderBy('seq').execute();
  if (rows.length !== treeSize) throw new Error(`audit log has ${rows.length} events up to seq ${treeSize}`);
  return rows.map((row) => hashFromHex(row.leaf_hash!));
}

/** The checkpoint to prove against: the one asked for, or the latest. */
async function sealedCheckpoint(db: Db, treeSize: number | undefined): Promise<CheckpointRow> {
  const checkpoint = treeSize === undefined ? await latestCheckpoint(db) : await checkpointAt(db, treeSize);
  if (!checkpoint) throw errors.notFound(treeSize === undefined ? 'The audit log has not been sealed yet' : `No checkpoint for tree size ${treeSize}`);
  return checkpoint;
}

export async function inclusionProofFor(db: Db, seq: number, treeSize?: number) {
  const checkpoint = await sealedCheckpoint(db, treeSize);
  if (seq > Number(checkpoint.tree_size)) throw errors.notFound(`Event ${seq} is not sealed yet (latest checkpoint: ${checkpoint.tree_size})`);
  const leaves = await leafHashes(db, Number(checkpoint.tree_size));
  return {
    seq,
    leaf_index: seq - 1,
    tree_size: Number(checkpoint.tree_size),
    leaf_hash: hashToHex(leaves[seq - 1]),
    proof: inclusionProof(leaves, seq - 1).map(hashToHex),
    root_hash: checkpoint.root_hash,
    checkpoint: checkpoint.note,
  };
}

export async function consistencyProofFor(db: Db, first: number, second: number) {
  if (!(first > 0 && first <= second)) throw errors.badRequest('first and second must be tree sizes with 0 < first <= second');
  const [older, newer] = [await sealedCheckpoint(db, first), await sealedCheckpoint(db, second)];
  const leaves = await leafHashes(db, second);
  return {
    first,
    second,
    proof: consistencyProof(leaves, first).map(hashToHex),
    first_checkpoint: older.note,
    second_checkpoint: newer.note,
  };
}
