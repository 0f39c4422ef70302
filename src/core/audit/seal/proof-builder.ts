// Inclusion proofs for many leaves of one tree: the perfect-subtree levels of the tree are
// computed once, in O(n) hashes and memory, and each proof is then O(log n) (merkle.ts's
// inclusionProof recomputes subtree roots: O(n) per proof). The proofs are exactly RFC 9162's
// PATH(m, D[n]), the same hashes in the same order as inclusionProof.
//
// Layout: level 0 is the leaf hashes as one Buffer (32 bytes each, leaf i at byte 32*i); level
// h holds the roots of the floor(n / 2^h) perfect subtrees of 2^h leaves that start at a
// multiple of 2^h (node i of level h covers leaves [i*2^h, (i+1)*2^h)). Levels 1.. together
// hold fewer than n hashes, so the whole is under 2 * 32 * n bytes: ~64 bytes per leaf.
//
// RFC 6962 splits a tree of n leaves at the largest power of two below n, so every interior node
// of the tree is either such a perfect subtree or lies on the right border (the path from the
// root to leaf n-1): those "ephemeral" nodes cover [i*2^h, n) and are folded from the perfect
// subtrees of that range when a proof needs one.
import { HASH_SIZE, emptyRoot, half, isOdd, nodeHash, type Hash } from './merkle.js';

/** The number of bits of n (0 for 0), without 32-bit truncation. */
function bitLength(n: number): number {
  let bits = 0;
  for (let rest = n; rest > 0; rest = half(rest)) bits++;
  return bits;
}

/** x XOR y for safe non-negative integers (the bitwise operator truncates to 32 bits). */
function xor(x: number, y: number): number {
  let result = 0;
  let bit = 1;
  for (let a = x, b = y; a > 0 || b > 0; a = half(a), b = half(b), bit *= 2) {
    if (isOdd(a) !== isOdd(b)) result += bit;
  }
  return result;
}

export class ProofBuilder {
  readonly #levels: Buffer[];
  readonly #size: number;

  private constructor(levels: Buffer[], size: number) {
    this.#levels = levels;
    this.#size = size;
  }

  /**
   * From the leaf hashes of the tree, leaf 0 first, `32 * n` bytes (kept, not copied: do not
   * change it afterwards). Computes the perfect-subtree levels: n - 1 hashes at most.
   */
  static fromLeafBuffer(leaves: Buffer): ProofBuilder {
    if (leaves.length % HASH_SIZE !== 0) throw new RangeError(`leaf hashes must be a multiple of ${HASH_SIZE} bytes, got ${leaves.length}`);
    const size = leaves.length / HASH_SIZE;
    const levels = [leaves];
    for (let below = leaves; below.length >= 2 * HASH_SIZE; ) {
      const count = Math.floor(below.length / (2 * HASH_SIZE));
      const level = Buffer.allocUnsafe(count * HASH_SIZE);
      for (let i = 0; i < count; i++) {
        const at = 2 * i * HASH_SIZE;
        level.set(nodeHash(below.subarray(at, at + HASH_SIZE), below.subarray(at + HASH_SIZE, at + 2 * HASH_SIZE)), i * HASH_SIZE);
      }
      levels.push(level);
      below = level;
    }
    return new ProofBuilder(levels, size);
  }

  static fromLeafHashes(leaves: readonly Hash[]): ProofBuilder {
    return ProofBuilder.fromLeafBuffer(Buffer.concat(leaves.map((leaf) => Buffer.from(leaf.buffer, leaf.byteOffset, leaf.length))));
  }

  get size(): number {
    return this.#size;
  }

  /** Bytes held: the leaves and every level. */
  get byteLength(): number {
    return this.#levels.reduce((sum, level) => sum + level.length, 0);
  }

  /** The root of the perfect subtree `index` of `level` (a view into the level, not a copy). */
  #node(level: number, index: number): Hash {
    const at = index * HASH_SIZE;
    return this.#levels[level].subarray(at, at + HASH_SIZE);
  }

  /**
   * MTH(D[start:end]) where `start` is a multiple of a power of two larger than end - start
   * (so the range is a run of perfect subtrees, largest first): folded right to left, as a
   * compact range's root. O(log n).
   */
  #rangeRoot(start: number, end: number): Hash {
    const nodes: Hash[] = [];
    let pos = start;
    for (let level = bitLength(end - start) - 1; level >= 0; level--) {
      const width = 2 ** level;
      if (end - pos >= width) {
        nodes.push(this.#node(level, pos / width));
        pos += width;
      }
    }
    let root = nodes[nodes.length - 1];
    for (let i = nodes.length - 2; i >= 0; i--) root = nodeHash(nodes[i], root);
    return root;
  }

  /** MTH of the whole tree (equals rootOf over the same leaves). */
  root(): Hash {
    return this.#size === 0 ? emptyRoot() : Buffer.from(this.#rangeRoot(0, this.#size));
  }

  /**
   * PROOF(oldSize, D[n]) of RFC 9162 §2.1.4.1: the same hashes as merkle.ts consistencyProof, in
   * O(log^2 n) instead of O(n). Every range the recursion meets starts at a multiple of a power of
   * two at least as large as itself, which is what #rangeRoot folds.
   */
  consistencyProof(oldSize: number): Hash[] {
    if (!Number.isSafeInteger(oldSize) || oldSize < 0 || oldSize > this.#size) {
      throw new RangeError(`old size ${oldSize} is outside a tree of size ${this.#size}`);
    }
    if (oldSize === 0 || oldSize === this.#size) return [];
    const proof: Hash[] = [];
    const subproof = (m: number, start: number, end: number, complete: boolean): void => {
      const n = end - start;
      if (m === n) {
        if (!complete) proof.push(Buffer.from(this.#rangeRoot(start, end)));
        return;
      }
      let k = 1;
      while (k * 2 < n) k *= 2;
      if (m <= k) {
        subproof(m, start, start + k, complete);
        proof.push(Buffer.from(this.#rangeRoot(start + k, end)));
      } else {
        subproof(m - k, start + k, end, false);
        proof.push(Buffer.from(this.#rangeRoot(start, start + k)));
      }
    };
    subproof(oldSize, 0, this.#size, true);
    return proof;
  }

  /** PATH(index, D[n]) of RFC 9162 §2.1.3.1, bottom-up: the same as merkle.ts inclusionProof. */
  inclusionProof(index: number): Hash[] {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.#size) {
      throw new RangeError(`leaf index ${index} is outside a tree of size ${this.#size}`);
    }
    const last = this.#size - 1;
    // Below level `inner` the leaf's path and the right border (the path of leaf n-1) are apart:
    // every sibling there is a perfect subtree, except at level inner-1, where the sibling is the
    // right child that holds leaf n-1 and may be partial (an ephemeral node of the border).
    const inner = bitLength(xor(index, last));
    const proof: Hash[] = [];
    for (let level = 0; level < inner; level++) {
      const width = 2 ** level;
      const node = Math.floor(index / width);
      const sibling = isOdd(node) ? node - 1 : node + 1;
      const start = sibling * width;
      proof.push(Buffer.from(start + width <= this.#size ? this.#node(level, sibling) : this.#rangeRoot(start, this.#size)));
    }
    // From level `inner` up the path is the right border: a node there has a sibling only when it
    // is a right child, and that left sibling is a perfect subtree.
    for (let level = inner; 2 ** level <= last; level++) {
      const node = Math.floor(index / 2 ** level);
      if (isOdd(node)) proof.push(Buffer.from(this.#node(level, node - 1)));
    }
    return proof;
  }
}
