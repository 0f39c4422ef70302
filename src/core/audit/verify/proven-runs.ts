// A filtered export's records carry inclusion proofs only at the ends of each run of consecutive
// seqs (export-proofs.ts). The records between are proven together: the proof of the run's first
// record gives, as the left siblings of its path, the compact range of the leaves before it; the
// run's own leaves extend that range; and the proof of the run's last record must hold exactly the
// extended range as its left siblings. Both proofs verified against a signed checkpoint, so the
// leaves between are the log's (a changed, missing or extra one gives other left siblings).
import { CompactRange } from '../seal/compact-range.js';
import { hashesEqual, type Hash } from '../seal/merkle.js';
import { leftSiblingsOf, type CheckedRecord } from './record-check.js';

type VerifiedProof = NonNullable<CheckedRecord['proof']>;

export class ProvenRuns {
  /** The last record whose inclusion proof verified, where a run may start. */
  #lastProven: { seq: number; leaf: Hash; proof: VerifiedProof | undefined } | null = null;
  /** The leaves 0..n-1 up to the last record of the open run (proven start, unproven records after it). */
  #range: CompactRange | null = null;
  #pendingFirst: number | null = null;
  #pendingCount = 0;
  /** Records proven by the proofs at the ends of their run. */
  provenByRuns = 0;

  /** The first seq of records that no proof closed yet, and how many. */
  get pending(): { first: number; count: number } | null {
    return this.#pendingFirst === null ? null : { first: this.#pendingFirst, count: this.#pendingCount };
  }

  /**
   * A record whose own proof verified: it closes the open run, whose leaves must be the left of
   * its path. The reason when they are not, else null.
   */
  proven(seq: number, leaf: Hash, proof: VerifiedProof | undefined): string | null {
    const pending = this.pending;
    if (pending !== null) {
      const left = proof ? leftSiblingsOf(seq - 1, proof.treeSize, proof.hashes) : null;
      const range = this.#range!;
      const matches = left !== null && range.size === seq - 1 && left.length === range.hashes.length && range.hashes.every((h, i) => hashesEqual(h, left[i]));
      if (!matches) {
        const last = pending.first + pending.count - 1;
        return (
          `the events seq ${pending.first}${last > pending.first ? `..${last}` : ''}, proven by the inclusion proofs of the events ` +
          `before and after them, are not the log's: one was modified, inserted, deleted or reordered`
        );
      }
      this.provenByRuns += pending.count;
    }
    this.#pendingFirst = null;
    this.#pendingCount = 0;
    this.#range = null;
    this.#lastProven = { seq, leaf, proof };
    return null;
  }

  /** A record without a proof: true when it continues a run from a proven record (the run's last proof will prove it). */
  extend(seq: number, leaf: Hash): boolean {
    if (this.#range === null) {
      const start = this.#lastProven;
      if (start === null || start.seq !== seq - 1 || !start.proof) return false;
      const left = leftSiblingsOf(start.seq - 1, start.proof.treeSize, start.proof.hashes);
      const range = left && CompactRange.fromHashes(start.seq - 1, left);
      if (!range) return false;
      range.append(start.leaf);
      this.#range = range;
    } else if (this.#range.size !== seq - 1) {
      return false;
    }
    this.#range.append(leaf);
    this.#pendingFirst ??= seq;
    this.#pendingCount++;
    return true;
  }
}
