// The RFC 6962 Merkle tree hash (RFC 9162 §2.1) over the audit log's leaf hashes, its inclusion
// (PATH) and consistency (PROOF) proofs, and their verification as RFC 9162 §2.1.3.2 and
// §2.1.4.2 describe. Hashes are 32-byte Uint8Arrays; tree sizes and indexes are plain numbers.
// JavaScript's bitwise operators truncate to 32 bits, so the bit steps below use arithmetic
// (isOdd/half) to stay exact up to Number.MAX_SAFE_INTEGER leaves.
import * as crypto from 'node:crypto';

export type Hash = Uint8Array;
export const HASH_SIZE = 32;

function sha256(...parts: Uint8Array[]): Hash {
  const hash = crypto.createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

// The 0x00 / 0x01 prefixes keep a leaf from ever being mistaken for an interior node
// (second-preimage protection, RFC 6962 §2.1).
const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

export function leafHash(data: Uint8Array): Hash {
  return sha256(LEAF_PREFIX, data);
}

// An interior node with the one-shot crypto.hash where there is one (Node 20.12+; verify.mjs also
// runs on older Nodes): createHash's object per call was most of the cost of a node, which
// sealing, proofs and verification compute by the million.
const NODE_INPUT = Buffer.alloc(1 + 2 * HASH_SIZE, 0x01);
const oneShot = typeof crypto.hash === 'function' ? crypto.hash : null;

export function nodeHash(left: Hash, right: Hash): Hash {
  if (oneShot === null || left.length !== HASH_SIZE || right.length !== HASH_SIZE) return sha256(NODE_PREFIX, left, right);
  NODE_INPUT.set(left, 1);
  NODE_INPUT.set(right, 1 + HASH_SIZE);
  // A Buffer of its own (callers keep it), not a view of NODE_INPUT.
  return oneShot('sha256', NODE_INPUT, 'buffer') as unknown as Hash;
}

/** MTH({}) = SHA-256 of the empty string. */
export function emptyRoot(): Hash {
  return sha256();
}

export function isHash(value: unknown): value is Hash {
  return value instanceof Uint8Array && value.length === HASH_SIZE;
}

export function hashesEqual(a: Hash, b: Hash): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

export function hashToHex(hash: Hash): string {
  return Buffer.from(hash.buffer, hash.byteOffset, hash.length).toString('hex');
}

export function hashFromHex(hex: string): Hash {
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new TypeError(`not a lowercase hex SHA-256 hash: ${JSON.stringify(hex)}`);
  return Buffer.from(hex, 'hex');
}

export function isOdd(n: number): boolean {
  return n % 2 === 1;
}

export function half(n: number): number {
  return Math.floor(n / 2);
}

function isCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/** The largest power of two strictly smaller than n (n > 1): where RFC 6962 splits a tree. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && splitPoint(n + 1) === n;
}

/** MTH(D[start:end]) for 0 <= start < end. */
function subtreeRoot(leaves: readonly Hash[], start: number, end: number): Hash {
  const n = end - start;
  if (n === 1) return leaves[start];
  const k = splitPoint(n);
  return nodeHash(subtreeRoot(leaves, start, start + k), subtreeRoot(leaves, start + k, end));
}

/** MTH over leaf hashes (already leafHash()ed), RFC 9162 §2.1.1. */
export function rootOf(leafHashes: readonly Hash[]): Hash {
  return leafHashes.length === 0 ? emptyRoot() : subtreeRoot(leafHashes, 0, leafHashes.length);
}

/** PATH(m, D[n]) of RFC 9162 §2.1.3.1: the audit path of leaf `index`, bottom-up. */
export function inclusionProof(leafHashes: readonly Hash[], index: number): Hash[] {
  if (!isCount(index) || index >= leafHashes.length) {
    throw new RangeError(`leaf index ${index} is outside a tree of size ${leafHashes.length}`);
  }
  const path = (m: number, start: number, end: number): Hash[] => {
    const n = end - start;
    if (n === 1) return [];
    const k = splitPoint(n);
    return m < k
      ? [...path(m, start, start + k), subtreeRoot(leafHashes, start + k, end)]
      : [...path(m - k, start + k, end), subtreeRoot(leafHashes, start, start + k)];
  };
  return path(index, 0, leafHashes.length);
}

/**
 * PROOF(m, D[n]) of RFC 9162 §2.1.4.1 between the first `oldSize` leaves and all of them.
 * Empty when oldSize is 0 or the whole tree: those need no proof (see verifyConsistency).
 */
export function consistencyProof(leafHashes: readonly Hash[], oldSize: number): Hash[] {
  if (!isCount(oldSize) || oldSize > leafHashes.length) {
    throw new RangeError(`old size ${oldSize} is outside a tree of size ${leafHashes.length}`);
  }
  if (oldSize === 0 || oldSize === leafHashes.length) return [];
  const subproof = (m: number, start: number, end: number, complete: boolean): Hash[] => {
    const n = end - start;
    if (m === n) return complete ? [] : [subtreeRoot(leafHashes, start, end)];
    const k = splitPoint(n);
    return m <= k
      ? [...subproof(m, start, start + k, complete), subtreeRoot(leafHashes, start + k, end)]
      : [...subproof(m - k, start + k, end, false), subtreeRoot(leafHashes, start, start + k)];
  };
  return subproof(oldSize, 0, leafHashes.length, true);
}

/** RFC 9162 §2.1.3.2, step by step. Any malformed input is simply "does not verify". */
export function verifyInclusion(leaf: Hash, index: number, treeSize: number, proof: readonly Hash[], root: Hash): boolean {
  if (!isCount(index) || !isCount(treeSize) || index >= treeSize) return false;
  if (!isHash(leaf) || !isHash(root) || !proof.every(isHash)) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false; // more proof than tree
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      // A right-edge node with no sibling at this level: climb until it is a right child again.
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && hashesEqual(r, root);
}

/**
 * RFC 9162 §2.1.4.2, step by step, for 0 < oldSize < newSize. The RFC leaves the trivial cases
 * out; we accept them only with an empty proof: equal sizes need equal roots, and an old size
 * of 0 needs the old root to be the empty-tree hash (stricter than transparency-dev, which
 * ignores it), so a forged "empty" checkpoint cannot pass as consistent.
 */
export function verifyConsistency(oldSize: number, newSize: number, oldRoot: Hash, newRoot: Hash, proof: readonly Hash[]): boolean {
  if (!isCount(oldSize) || !isCount(newSize) || oldSize > newSize) return false;
  if (!isHash(oldRoot) || !isHash(newRoot) || !proof.every(isHash)) return false;
  if (oldSize === 0) return proof.length === 0 && hashesEqual(oldRoot, emptyRoot()) && (newSize > 0 || hashesEqual(newRoot, oldRoot));
  if (oldSize === newSize) return proof.length === 0 && hashesEqual(oldRoot, newRoot);
  if (proof.length === 0) return false;
  // When the old tree is a perfect subtree of the new one, its root is the proof's implicit first node.
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : proof;
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && hashesEqual(fr, oldRoot) && hashesEqual(sr, newRoot);
}
