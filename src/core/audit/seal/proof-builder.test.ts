// ProofBuilder against merkle.ts: for every tree size 1..130 and every leaf, the same proof as
// inclusionProof (hash for hash, same order), verified by verifyInclusion, and the same root.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { consistencyProof, emptyRoot, hashToHex, inclusionProof, leafHash, rootOf, verifyConsistency, verifyInclusion, type Hash } from './merkle.js';
import { ProofBuilder } from './proof-builder.js';

const MAX = 130;
const leaves: Hash[] = Array.from({ length: MAX }, (_, i) => leafHash(Buffer.from(`audit event ${i}`)));
const hex = (proof: Hash[]) => proof.map(hashToHex);

describe('ProofBuilder', () => {
  it('gives exactly inclusionProof for every index of every size 1..130, and each verifies', () => {
    let proofs = 0;
    for (let n = 1; n <= MAX; n++) {
      const tree = leaves.slice(0, n);
      const builder = ProofBuilder.fromLeafHashes(tree);
      const root = rootOf(tree);
      assert.equal(builder.size, n);
      assert.equal(hashToHex(builder.root()), hashToHex(root), `root of size ${n}`);
      for (let m = 0; m < n; m++) {
        const fast = builder.inclusionProof(m);
        assert.deepEqual(hex(fast), hex(inclusionProof(tree, m)), `size ${n}, index ${m}`);
        assert.ok(verifyInclusion(tree[m], m, n, fast, root), `size ${n}, index ${m} verifies`);
        proofs++;
      }
    }
    assert.equal(proofs, (MAX * (MAX + 1)) / 2);
  });

  it('gives exactly consistencyProof for every old size of every size 1..130, and each verifies', () => {
    for (let n = 1; n <= MAX; n++) {
      const tree = leaves.slice(0, n);
      const builder = ProofBuilder.fromLeafHashes(tree);
      for (let m = 0; m <= n; m++) {
        const fast = builder.consistencyProof(m);
        assert.deepEqual(hex(fast), hex(consistencyProof(tree, m)), `size ${n}, old size ${m}`);
        assert.ok(verifyConsistency(m, n, rootOf(leaves.slice(0, m)), rootOf(tree), fast), `size ${n}, old size ${m} verifies`);
      }
      assert.throws(() => builder.consistencyProof(n + 1), RangeError);
    }
  });

  it('proofs do not verify for another leaf, index or root', () => {
    const n = 77;
    const tree = leaves.slice(0, n);
    const builder = ProofBuilder.fromLeafHashes(tree);
    const root = rootOf(tree);
    for (const m of [0, 1, 63, 64, 75, 76]) {
      const proof = builder.inclusionProof(m);
      assert.equal(verifyInclusion(tree[(m + 1) % n], m, n, proof, root), false);
      assert.equal(verifyInclusion(tree[m], (m + 1) % n, n, proof, root), false);
      assert.equal(verifyInclusion(tree[m], m, n, proof, rootOf(leaves.slice(0, n + 1))), false);
    }
  });

  it('holds the leaves plus fewer than n interior hashes (under 64 bytes per leaf)', () => {
    for (const n of [1, 2, 3, 64, 100, 130]) {
      const builder = ProofBuilder.fromLeafHashes(leaves.slice(0, n));
      assert.ok(builder.byteLength >= 32 * n && builder.byteLength < 64 * n, `size ${n}: ${builder.byteLength} bytes`);
    }
  });

  it('works from one Buffer of n*32 bytes, and refuses bad input', () => {
    const buffer = Buffer.concat(leaves.slice(0, 5));
    const builder = ProofBuilder.fromLeafBuffer(buffer);
    assert.deepEqual(hex(builder.inclusionProof(4)), hex(inclusionProof(leaves.slice(0, 5), 4)));
    assert.throws(() => ProofBuilder.fromLeafBuffer(Buffer.alloc(33)), RangeError);
    assert.throws(() => builder.inclusionProof(5), RangeError);
    assert.throws(() => builder.inclusionProof(-1), RangeError);
    assert.throws(() => builder.inclusionProof(1.5), RangeError);
    const empty = ProofBuilder.fromLeafBuffer(Buffer.alloc(0));
    assert.equal(empty.size, 0);
    assert.equal(hashToHex(empty.root()), hashToHex(emptyRoot()));
    assert.throws(() => empty.inclusionProof(0), RangeError);
  });
});
