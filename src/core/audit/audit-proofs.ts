import type { ConsistencyProof, InclusionProof } from '../../contracts/audit-checkpoints.js';
import type { Db } from '../../storage/db/database.js';
import { errors } from '../errors.js';
import { HASH_SIZE, consistencyProof, hashFromHex, hashToHex, type Hash } from './seal/merkle.js';
import { sealedTree } from './sealed-tree.js';

// Inclusion and consistency proofs (RFC 9162 PATH / PROOF) against sealed tree sizes. They are
// computed from the stored leaf hashes of the first `treeSize` events. An inclusion proof reads
// them into one Buffer (32 bytes per event, in pages) and builds the perfect-subtree levels on it
// (seal/proof-builder.ts): O(treeSize) to read and hash, then O(log n) for the path, under 64
// bytes per event in memory; above TROVE_AUDIT_PROOF_MAX_EVENTS it is refused with 400, as the
// exports with proofs=true are. A consistency proof still recomputes subtree roots (merkle.ts).

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
  const rows = await db.selectFrom('audit_events').select(['seq', 'leaf_hash']).where('id', '<=', treeSize).orderBy('id').execute();
  if (rows.length !== treeSize) throw new Error(`audit log has ${rows.length} events up to seq ${treeSize}`);
  return rows.map((row) => hashFromHex(row.leaf_hash!));
}

/** The checkpoint to prove against: the one asked for, or the latest. */
async function sealedCheckpoint(db: Db, treeSize: number | undefined): Promise<CheckpointRow> {
  const checkpoint = treeSize === undefined ? await latestCheckpoint(db) : await checkpointAt(db, treeSize);
  if (!checkpoint) throw errors.notFound(treeSize === undefined ? 'The audit log has not been sealed yet' : `No checkpoint for tree size ${treeSize}`);
  return checkpoint;
}

/**
 * The inclusion proof of event `seq` against the checkpoint of `treeSize` (default: the latest).
 * 400 when that tree has more than `maxEvents` events (TROVE_AUDIT_PROOF_MAX_EVENTS; read from
 * the environment when not given).
 */
export async function inclusionProofFor(db: Db, seq: number, treeSize: number | undefined, maxEvents: number): Promise<InclusionProof> {
  const checkpoint = await sealedCheckpoint(db, treeSize);
  const size = Number(checkpoint.tree_size);
  if (seq < 1) throw errors.notFound(`No event ${seq}`);
  if (seq > size) throw errors.notFound(`Event ${seq} is not sealed yet (latest checkpoint: ${checkpoint.tree_size})`);
  if (size > maxEvents) {
    throw errors.badRequest(
      `an inclusion proof needs the ${size} leaf hashes of the sealed log in memory (~64 bytes per event), ` +
        `more than TROVE_AUDIT_PROOF_MAX_EVENTS (${maxEvents}) allows; raise the limit, or verify an export offline`,
    );
  }
  const { leaves, builder } = await sealedTree(db, size, checkpoint.root_hash);
  const at = (seq - 1) * HASH_SIZE;
  return {
    seq,
    leaf_index: seq - 1,
    tree_size: size,
    leaf_hash: leaves.toString('hex', at, at + HASH_SIZE),
    proof: builder.inclusionProof(seq - 1).map(hashToHex),
    root_hash: checkpoint.root_hash,
    checkpoint: checkpoint.note,
  };
}

export async function consistencyProofFor(db: Db, first: number, second: number): Promise<ConsistencyProof> {
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
