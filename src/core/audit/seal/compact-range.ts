// A compact range (transparency-dev calls it a compact tree, others a frontier): the roots of
// the perfect subtrees that make up a tree of `size` leaves, largest (leftmost) first, one per
// set bit of `size`. It is all the sealer needs to keep between runs: appending a leaf merges
// equal-sized subtrees like a binary counter (O(log n) hashes) and the root folds them right to
// left, so sealing never rereads the whole log.
import { SealFormatError } from './seal-error.js';
import { emptyRoot, half, hashFromHex, hashToHex, isHash, isOdd, nodeHash, type Hash } from './merkle.js';

export interface CompactRangeJson {
  size: number;
  hashes: string[];
}

/** Number of perfect subtrees for a tree of n leaves = number of set bits of n. */
function subtreeCount(n: number): number {
  let count = 0;
  for (let rest = n; rest > 0; rest = half(rest)) if (isOdd(rest)) count++;
  return count;
}

export class CompactRange {
  #size: number;
  #hashes: Hash[];

  private constructor(size: number, hashes: Hash[]) {
    this.#size = size;
    this.#hashes = hashes;
  }

  static empty(): CompactRange {
    return new CompactRange(0, []);
  }

  static fromLeafHashes(leafHashes: Iterable<Hash>): CompactRange {
    const range = CompactRange.empty();
    for (const leaf of leafHashes) range.append(leaf);
    return range;
  }

  /** The range of `size` leaves from its perfect-subtree roots (leftmost first); null when their number is not the size's. */
  static fromHashes(size: number, hashes: Hash[]): CompactRange | null {
    return Number.isSafeInteger(size) && size >= 0 && hashes.length === subtreeCount(size) && hashes.every(isHash) ? new CompactRange(size, [...hashes]) : null;
  }

  /** Restores a saved range; anything that is not exactly what toJSON() writes is refused. */
  static fromJSON(json: unknown): CompactRange {
    if (typeof json !== 'object' || json === null) throw new SealFormatError('compact range must be an object');
    const { size, hashes } = json as Partial<CompactRangeJson>;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      throw new SealFormatError(`compact range size must be a non-negative integer, got ${JSON.stringify(size)}`);
    }
    if (!Array.isArray(hashes) || hashes.length !== subtreeCount(size)) {
      throw new SealFormatError(`compact range of size ${size} must hold ${subtreeCount(size)} hashes`);
    }
    const parsed = hashes.map((hex: unknown) => {
      if (typeof hex !== 'string') throw new SealFormatError('compact range hashes must be hex strings');
      try {
        return hashFromHex(hex);
      } catch (error) {
        throw new SealFormatError(`compact range: ${(error as Error).message}`);
      }
    });
    return new CompactRange(size, parsed);
  }

  get size(): number {
    return this.#size;
  }

  /** The perfect-subtree roots, leftmost first (a copy). */
  get hashes(): Hash[] {
    return [...this.#hashes];
  }

  append(leaf: Hash): void {
    if (!isHash(leaf)) throw new TypeError('a leaf hash is 32 bytes');
    if (this.#size >= Number.MAX_SAFE_INTEGER) throw new RangeError('compact range is full');
    // Each trailing 1 bit of the old size is a subtree of the new leaf's height: merge with it.
    let node = leaf;
    for (let rest = this.#size; isOdd(rest); rest = half(rest)) {
      node = nodeHash(this.#hashes.pop() as Hash, node);
    }
    this.#hashes.push(node);
    this.#size++;
  }

  /** MTH of the whole range; equals rootOf() over the same leaves. */
  root(): Hash {
    if (this.#hashes.length === 0) return emptyRoot();
    let root = this.#hashes[this.#hashes.length - 1];
    for (let i = this.#hashes.length - 2; i >= 0; i--) root = nodeHash(this.#hashes[i], root);
    return root;
  }

  clone(): CompactRange {
    return new CompactRange(this.#size, [...this.#hashes]);
  }

  toJSON(): CompactRangeJson {
    return { size: this.#size, hashes: this.#hashes.map(hashToHex) };
  }
}
