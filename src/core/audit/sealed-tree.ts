import type { Db } from '../../storage/db/database.js';
import { HASH_SIZE, hashToHex } from './seal/merkle.js';
import { ProofBuilder } from './seal/proof-builder.js';

// The proof builder of a sealed tree, shared by the proof endpoint (audit-proofs.ts) and the
// exports with proofs=true (export/export-proofs.ts): the leaf hashes of events 1..treeSize are
// read in keyset pages into one Buffer (32 bytes per event), the perfect-subtree levels are built
// on it (< 32 bytes per event more), and their root must be the checkpoint's.

/** Rows of leaf hashes read per query while loading the tree. */
const LEAF_PAGE = 10_000;

/** The leaf hashes of events 1..treeSize, seq order, as one Buffer of `32 * treeSize` bytes. */
export async function readLeafBuffer(db: Db, treeSize: number): Promise<Buffer> {
  const leaves = Buffer.alloc(treeSize * HASH_SIZE);
  let loaded = 0;
  while (loaded < treeSize) {
    // By id, which is seq (migration 012); the seq read back is checked.
    const rows = await db
      .selectFrom('audit_events')
      .select(['seq', 'leaf_hash'])
      .where('id', '>', loaded)
      .where('id', '<=', treeSize)
      .orderBy('id')
      .limit(LEAF_PAGE)
      .execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== loaded + 1 || typeof row.leaf_hash !== 'string' || !/^[0-9a-f]{64}$/.test(row.leaf_hash)) {
        throw new Error(`audit log: cannot build inclusion proofs, seq ${loaded + 1} is missing or has no leaf hash`);
      }
      leaves.write(row.leaf_hash, loaded * HASH_SIZE, HASH_SIZE, 'hex');
      loaded++;
    }
  }
  if (loaded !== treeSize) throw new Error(`audit log has ${loaded} events up to seq ${treeSize}, the checkpoint seals ${treeSize}`);
  return leaves;
}

/**
 * The proof builder of the tree a checkpoint seals (`treeSize` events, root `rootHash` in hex),
 * with its leaf hashes (kept by the builder: do not change them). Refuses to serve proofs when
 * the stored leaves do not hash to that root.
 */
export async function sealedTree(db: Db, treeSize: number, rootHash: string): Promise<{ leaves: Buffer; builder: ProofBuilder }> {
  const leaves = await readLeafBuffer(db, treeSize);
  const builder = ProofBuilder.fromLeafBuffer(leaves);
  const root = hashToHex(builder.root());
  if (root !== rootHash) {
    throw new Error(`audit log: the root of events 1..${treeSize} is ${root}, but the checkpoint says ${rootHash}; refusing to serve proofs`);
  }
  return { leaves, builder };
}
