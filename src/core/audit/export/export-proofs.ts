import type { Db } from '../../../storage/db/database.js';
import { errors } from '../../errors.js';
import { latestCheckpoint } from '../audit-proofs.js';
import { hashToHex } from '../seal/merkle.js';
import type { ProofBuilder } from '../seal/proof-builder.js';
import { sealedTree } from '../sealed-tree.js';

// `proofs=true` on a JSONL export (docs/api.md#audit-export, docs/architecture.md#tamper-evidence): records sealed by the latest checkpoint
// carry "inclusion_proof": {tree_size, leaf_index, hashes}, so that a filtered export (one
// group or project) can be verified offline (`trove audit verify --filtered`) against the signed
// checkpoint of that tree size. The checkpoint is pinned when the export starts; later records
// carry no proof (the verifier reports them as not yet sealed).
// Only the first and the last record of a run of consecutive seqs carry one: the proof of the
// first gives the tree to the left of the run (the left siblings of its path are the perfect
// subtrees of the leaves before it), the records' own leaves extend it, and the proof of the last
// must show exactly that extension to its left; so a run is proven whole by two proofs, and an
// export of a whole period (an instance's evidence pack) is half the size and verifies in half the time.
//
// Memory: the leaf hashes of the pinned tree (32 bytes per event) plus the perfect-subtree levels
// above them (< 32 bytes per event) are held for the whole export: under 64 bytes per event in
// the log, whatever the filter (64 MB at 1M events). Hence TROVE_AUDIT_PROOF_MAX_EVENTS: above it
// proofs=true is refused with 400 rather than risk the process.

export interface InclusionProofJson {
  tree_size: number;
  leaf_index: number;
  hashes: string[];
}

/** The proofs of one export: against the checkpoint pinned at its start. */
export class PinnedProofs {
  constructor(
    readonly treeSize: number,
    readonly builder: ProofBuilder,
  ) {}

  /** The proof of the event at `seq`, or undefined when the pinned checkpoint does not seal it. */
  proofFor(seq: number): InclusionProofJson | undefined {
    if (seq < 1 || seq > this.treeSize) return undefined;
    return { tree_size: this.treeSize, leaf_index: seq - 1, hashes: this.builder.inclusionProof(seq - 1).map(hashToHex) };
  }

  /**
   * The proofs an export writes for consecutive records `seqs`, given the seq of the record just
   * before them and just after them in the export (null: none): only where a run of consecutive
   * seqs starts or ends, or the sealed part of the log ends.
   */
  ofRecords(seqs: readonly number[], before: number | null, after: number | null): RecordProofs {
    return {
      proofAt: (index) => {
        const seq = seqs[index];
        const previous = index > 0 ? seqs[index - 1] : before;
        const next = index + 1 < seqs.length ? seqs[index + 1] : after;
        const inRun = previous === seq - 1 && next === seq + 1 && seq !== this.treeSize;
        return inRun ? undefined : this.proofFor(seq);
      },
    };
  }
}

/** The inclusion proofs of a batch of an export's records, by index in the batch. */
export interface RecordProofs {
  proofAt(index: number): InclusionProofJson | undefined;
}

/** `proofs=...` of the query string: absent or false means no proofs. */
export function parseProofsParameter(value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw errors.badRequest('proofs must be true or false');
}

/**
 * Pins the latest checkpoint and loads the leaf hashes of its tree into one Buffer (seq order,
 * keyset pages), then builds the levels and checks that their root is the checkpoint's. Undefined
 * when the log has no checkpoint yet (every record is then unsealed). 400 above `maxEvents`.
 */
export async function pinProofs(db: Db, maxEvents: number): Promise<PinnedProofs | undefined> {
  const checkpoint = await latestCheckpoint(db);
  if (!checkpoint) return undefined;
  const treeSize = Number(checkpoint.tree_size);
  if (treeSize > maxEvents) {
    throw errors.badRequest(
      `proofs=true needs the ${treeSize} leaf hashes of the sealed log in memory (~64 bytes per event), ` +
        `more than TROVE_AUDIT_PROOF_MAX_EVENTS (${maxEvents}) allows; export without proofs, or raise the limit`,
    );
  }
  const { builder } = await sealedTree(db, treeSize, checkpoint.root_hash);
  return new PinnedProofs(treeSize, builder);
}
