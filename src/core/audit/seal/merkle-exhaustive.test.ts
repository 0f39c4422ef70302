// Agreement and soundness over every tree up to 64 leaves: the root of rootOf, of CompactRange,
// every inclusion and consistency proof verifies, and every mutation of one of them is refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  consistencyProof,
  emptyRoot,
  inclusionProof,
  leafHash,
  nodeHash,
  rootOf,
  verifyConsistency,
  verifyInclusion,
  type Hash,
} from './merkle.js';
import { CompactRange } from './compact-range.js';

const MAX = 64;
const leaves: Hash[] = Array.from({ length: MAX + 1 }, (_, i) => leafHash(Buffer.from(`audit event ${i}`)));
const roots: Hash[] = Array.from({ length: MAX + 1 }, (_, n) => rootOf(leaves.slice(0, n)));
const OTHER = leafHash(Buffer.from('not in the log'));

function flipBit(hash: Hash, bit: number): Hash {
  const copy = Uint8Array.from(hash);
  copy[bit >> 3] ^= 1 << (bit & 7);
  return copy;
}

/** Each element flipped at a few bit positions, including the first and last bit. */
function flippedCopies(proof: readonly Hash[]): [string, Hash[]][] {
  const out: [string, Hash[]][] = [];
  proof.forEach((element, i) => {
    for (const bit of [0, 3, 100, 255]) out.push([`bit ${bit} of element ${i}`, proof.map((e, j) => (j === i ? flipBit(element, bit) : e))]);
  });
  return out;
}

/** Proofs with one element removed, one inserted at every position, truncated and extended. */
function reshapedCopies(proof: readonly Hash[], extras: readonly Hash[]): [string, Hash[]][] {
  const out: [string, Hash[]][] = [];
  proof.forEach((_, i) => out.push([`element ${i} removed`, proof.filter((__, j) => j !== i)]));
  for (let i = 0; i <= proof.length; i++) {
    for (const [k, extra] of extras.entries()) out.push([`extra ${k} inserted at ${i}`, [...proof.slice(0, i), extra, ...proof.slice(i)]]);
  }
  if (proof.length > 0) out.push(['truncated', proof.slice(0, -1)], ['emptied', []]);
  for (const [k, extra] of extras.entries()) out.push([`extended with extra ${k}`, [...proof, extra]]);
  if (proof.length > 1) out.push(['reversed', [...proof].reverse()]);
  out.push(['extended with a short element', [...proof, new Uint8Array(31)]]);
  return out;
}

describe('Merkle tree, exhaustively for sizes 0..64', () => {
  it('rootOf equals the CompactRange root after every append, and survives toJSON/fromJSON', () => {
    const range = CompactRange.empty();
    assert.deepEqual(range.root(), emptyRoot());
    for (let n = 1; n <= MAX; n++) {
      range.append(leaves[n - 1]);
      assert.equal(range.size, n);
      assert.deepEqual(range.root(), roots[n], `size ${n}`);
      const restored = CompactRange.fromJSON(JSON.parse(JSON.stringify(range)));
      assert.deepEqual(restored.root(), roots[n]);
      assert.deepEqual(CompactRange.fromLeafHashes(leaves.slice(0, n)).toJSON(), range.toJSON());
    }
    // A restored range keeps growing into the same tree as one that never stopped.
    const resumed = CompactRange.fromJSON(CompactRange.fromLeafHashes(leaves.slice(0, 37)).toJSON());
    for (let i = 37; i < MAX; i++) resumed.append(leaves[i]);
    assert.deepEqual(resumed.root(), roots[MAX]);
  });

  it('verifies every inclusion proof and rejects every mutation of it', () => {
    for (let n = 1; n <= MAX; n++) {
      const tree = leaves.slice(0, n);
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(tree, i);
        const name = `leaf ${i} of ${n}`;
        assert.equal(verifyInclusion(leaves[i], i, n, proof, roots[n]), true, name);

        // Sizes are changed by x2 and /2 as transparency-dev does: a proof for a leaf left of the
        // right edge binds the root, not the size (size 3 and 4 hash leaf 0 alike), which is why a
        // checkpoint signs size and root together.
        const bad: [string, boolean][] = [
          ['index - 1', verifyInclusion(leaves[i], i - 1, n, proof, roots[n])],
          ['index + 1', verifyInclusion(leaves[i], i + 1, n, proof, roots[n])],
          ['index ^ 2', verifyInclusion(leaves[i], i ^ 2, n, proof, roots[n])],
          ['size * 2', verifyInclusion(leaves[i], i, n * 2, proof, roots[n])],
          ['size / 2', verifyInclusion(leaves[i], i, Math.floor(n / 2), proof, roots[n])],
          ['wrong leaf', verifyInclusion(OTHER, i, n, proof, roots[n])],
          ['neighbouring leaf', verifyInclusion(leaves[i === 0 ? 1 : i - 1], i, n, proof, roots[n])],
          ['root of another size', verifyInclusion(leaves[i], i, n, proof, roots[n - 1])],
          ['empty root', verifyInclusion(leaves[i], i, n, proof, emptyRoot())],
        ];
        for (let bit = 0; bit < 256; bit += 37) bad.push([`root bit ${bit}`, verifyInclusion(leaves[i], i, n, proof, flipBit(roots[n], bit))]);
        bad.push(['leaf bit 7', verifyInclusion(flipBit(leaves[i], 7), i, n, proof, roots[n])]);
        for (const [what, mutated] of [...flippedCopies(proof), ...reshapedCopies(proof, [OTHER, roots[n], leaves[i]])]) {
          bad.push([what, verifyInclusion(leaves[i], i, n, mutated, roots[n])]);
        }
        for (const [what, verified] of bad) assert.equal(verified, false, `${name}: ${what} must not verify`);
      }
    }
  });

  it('verifies every consistency proof and rejects every mutation of it', () => {
    for (let n = 1; n <= MAX; n++) {
      const tree = leaves.slice(0, n);
      for (let m = 1; m < n; m++) {
        const proof = consistencyProof(tree, m);
        const name = `${m} -> ${n}`;
        assert.equal(verifyConsistency(m, n, roots[m], roots[n], proof), true, name);

        const bad: [string, boolean][] = [
          ['sizes swapped', verifyConsistency(n, m, roots[n], roots[m], proof)],
          ['sizes swapped, roots kept', verifyConsistency(n, m, roots[m], roots[n], proof)],
          ['roots swapped', verifyConsistency(m, n, roots[n], roots[m], proof)],
          ['old size - 1', verifyConsistency(m - 1, n, roots[m], roots[n], proof)],
          ['old size + 1', verifyConsistency(m + 1, n, roots[m], roots[n], proof)],
          ['old size ^ 2', verifyConsistency(m ^ 2, n, roots[m], roots[n], proof)],
          ['new size * 2', verifyConsistency(m, n * 2, roots[m], roots[n], proof)],
          ['new size / 2', verifyConsistency(m, Math.floor(n / 2), roots[m], roots[n], proof)],
          ['old root of another size', verifyConsistency(m, n, roots[m - 1], roots[n], proof)],
          ['new root of another size', verifyConsistency(m, n, roots[m], roots[n - 1], proof)],
          ['new root of a longer log', verifyConsistency(m, n, roots[m], roots[n + 1], proof)],
          ['empty proof', verifyConsistency(m, n, roots[m], roots[n], [])],
        ];
        for (let bit = 0; bit < 256; bit += 51) {
          bad.push([`old root bit ${bit}`, verifyConsistency(m, n, flipBit(roots[m], bit), roots[n], proof)]);
          bad.push([`new root bit ${bit}`, verifyConsistency(m, n, roots[m], flipBit(roots[n], bit), proof)]);
        }
        for (const [what, mutated] of [...flippedCopies(proof), ...reshapedCopies(proof, [OTHER, roots[m], roots[n], proof[0]])]) {
          bad.push([what, verifyConsistency(m, n, roots[m], roots[n], mutated)]);
        }
        for (const [what, verified] of bad) assert.equal(verified, false, `${name}: ${what} must not verify`);
      }
    }
  });

  it('refuses a proof longer than the claimed tree is tall', () => {
    // The proof of leaf i in the right half of a perfect tree, replayed as leaf i - n/2 of the
    // half-size tree, climbs past that tree's root to the real root: RFC 9162 stops when sn is 0.
    for (let n = 2; n <= MAX; n *= 2) {
      for (let i = n / 2; i < n; i++) {
        const proof = inclusionProof(leaves.slice(0, n), i);
        assert.equal(verifyInclusion(leaves[i], i, n, proof, roots[n]), true);
        assert.equal(verifyInclusion(leaves[i], i - n / 2, n / 2, proof, roots[n]), false, `leaf ${i} of ${n} as ${i - n / 2} of ${n / 2}`);
      }
    }
  });

  it('proves no consistency between a log and a rewritten one', () => {
    // Same sizes, one event changed in the old part: no proof from the honest log can link them.
    for (const [m, n, changed] of [[5, 9, 2], [8, 13, 7], [1, 2, 0], [33, 64, 32]]) {
      const rewritten = leaves.slice(0, n).map((leaf, i) => (i === changed ? OTHER : leaf));
      assert.equal(verifyConsistency(m, n, roots[m], rootOf(rewritten), consistencyProof(leaves.slice(0, n), m)), false);
      assert.equal(verifyConsistency(m, n, roots[m], rootOf(rewritten), consistencyProof(rewritten, m)), false);
    }
  });
});

describe('Merkle edge cases', () => {
  it('treats trivial consistency as RFC 9162 implies, and strictly', () => {
    const proof = [emptyRoot()];
    assert.equal(verifyConsistency(0, 0, emptyRoot(), emptyRoot(), []), true);
    assert.equal(verifyConsistency(0, 5, emptyRoot(), roots[5], []), true);
    assert.equal(verifyConsistency(5, 5, roots[5], roots[5], []), true);
    assert.equal(verifyConsistency(0, 5, roots[3], roots[5], []), false, 'an empty old tree has the empty root');
    assert.equal(verifyConsistency(0, 0, emptyRoot(), roots[1], []), false);
    assert.equal(verifyConsistency(5, 5, roots[5], roots[4], []), false);
    assert.equal(verifyConsistency(0, 0, emptyRoot(), emptyRoot(), proof), false, 'a trivial proof is empty');
    assert.equal(verifyConsistency(0, 5, emptyRoot(), roots[5], proof), false);
    assert.equal(verifyConsistency(5, 5, roots[5], roots[5], proof), false);
    assert.equal(verifyConsistency(1, 0, roots[1], emptyRoot(), []), false, 'no time travel');
    assert.equal(verifyConsistency(-1, 5, roots[1], roots[5], []), false);
    assert.equal(verifyConsistency(1.5, 5, roots[1], roots[5], consistencyProof(leaves.slice(0, 5), 1)), false);
    assert.deepEqual(consistencyProof(leaves.slice(0, 5), 0), []);
    assert.deepEqual(consistencyProof(leaves.slice(0, 5), 5), []);
    assert.throws(() => consistencyProof(leaves.slice(0, 5), 6), RangeError);
  });

  it('rejects inclusion in impossible positions', () => {
    assert.equal(verifyInclusion(leaves[0], 0, 0, [], emptyRoot()), false);
    assert.equal(verifyInclusion(leaves[0], 1, 1, [], leaves[0]), false);
    assert.equal(verifyInclusion(leaves[0], 0, 1, [], leaves[0]), true);
    assert.equal(verifyInclusion(leaves[0], 0, 1, [], new Uint8Array(0)), false, 'a hash is 32 bytes');
    assert.equal(verifyInclusion(new Uint8Array(0), 0, 1, [], leaves[0]), false);
    assert.equal(verifyInclusion(leaves[0], 0.5, 2, [leaves[1]], roots[2]), false);
    assert.throws(() => inclusionProof(leaves.slice(0, 3), 3), RangeError);
    assert.throws(() => inclusionProof([], 0), RangeError);
  });

  it('stays exact beyond 2^32 leaves, where 32-bit bitwise operators would wrap', () => {
    // The last leaf of a tree of 2^33 + 1 leaves: its proof is the root of the first 2^33.
    const big = 2 ** 33;
    const left = roots[MAX];
    const root = nodeHash(left, leaves[0]);
    assert.equal(verifyInclusion(leaves[0], big, big + 1, [left], root), true);
    assert.equal(verifyInclusion(leaves[0], big - 1, big + 1, [left], root), false);
    // Consistency from 2^33 to 2^33 + 1 is that same single node.
    assert.equal(verifyConsistency(big, big + 1, left, root, [leaves[0]]), true);
    assert.equal(verifyConsistency(big - 1, big + 1, left, root, [leaves[0]]), false);
    assert.equal(verifyConsistency(big, big + 1, left, nodeHash(leaves[0], left), [leaves[0]]), false);

    const range = CompactRange.fromJSON({ size: big, hashes: [Buffer.from(left).toString('hex')] });
    range.append(leaves[0]);
    assert.equal(range.size, big + 1);
    assert.equal(range.hashes.length, 2);
    assert.deepEqual(range.root(), root);
  });
});

describe('CompactRange persistence', () => {
  it('refuses saved ranges that do not describe a tree', () => {
    const good = CompactRange.fromLeafHashes(leaves.slice(0, 6)).toJSON(); // two subtrees (4 + 2)
    assert.equal(good.hashes.length, 2);
    const hex = good.hashes[0];
    for (const bad of [
      null,
      'x',
      { size: 6, hashes: [hex] }, // one subtree missing
      { size: 6, hashes: [hex, hex, hex] },
      { size: -1, hashes: [] },
      { size: 1.5, hashes: [hex] },
      { size: '6', hashes: good.hashes },
      { size: 6, hashes: [hex, hex.toUpperCase()] },
      { size: 6, hashes: [hex, hex.slice(2)] },
      { size: 6, hashes: [hex, 7] },
      { size: 6 },
    ]) {
      assert.throws(() => CompactRange.fromJSON(bad), { name: 'SealFormatError' }, JSON.stringify(bad));
    }
    assert.deepEqual(CompactRange.fromJSON(good).toJSON(), good);
  });

  it('clones without sharing state and refuses non-hash leaves', () => {
    const range = CompactRange.fromLeafHashes(leaves.slice(0, 3));
    const copy = range.clone();
    copy.append(leaves[3]);
    assert.equal(range.size, 3);
    assert.deepEqual(range.root(), roots[3]);
    assert.deepEqual(copy.root(), roots[4]);
    assert.throws(() => range.append(new Uint8Array(31)), TypeError);
  });
});
