import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProofText, splitProofText } from './record-check.js';

// The export's inclusion proof is read as text (ProofText) only when the line ends with exactly
// what the export writes; anything else is parsed whole, so the split never changes a record.

const h = (c: string) => c.repeat(64);

describe('splitProofText', () => {
  it("splits a line the export wrote into the record's text and the proof", () => {
    const line = `{"seq":3,"leaf_hash":"${h('a')}","inclusion_proof":{"tree_size":9,"leaf_index":2,"hashes":["${h('b')}","${h('c')}"]}}`;
    const split = splitProofText(line);
    assert.ok(split);
    assert.deepEqual(JSON.parse(split.record), { seq: 3, leaf_hash: h('a') });
    assert.deepEqual(split.proof, new ProofText(9, 2, `"${h('b')}","${h('c')}"`));
    assert.deepEqual(JSON.parse(line).inclusion_proof.hashes, JSON.parse(`[${split.proof.hashes}]`));
  });

  it('leaves any other line to JSON.parse', () => {
    const proof = `"inclusion_proof":{"tree_size":9,"leaf_index":2,"hashes":["${h('b')}"]}`;
    for (const line of [
      `{"seq":3,${proof}, "x":1}`, // not last
      `{"seq":3,"inclusion_proof":{"tree_size":9,"leaf_index":2,"hashes":["${h('b')}" ]}}`, // spacing
      `{"seq":3,"inclusion_proof":{"tree_size":09,"leaf_index":2,"hashes":[]}}`, // leading zero
      `{"seq":3,"inclusion_proof":{"tree_size":9,"leaf_index":2,"hashes":["${h('b')}","x"]}}`, // short entry
    ]) {
      assert.equal(splitProofText(line), null, line);
    }
    // Nested one level down: the split's record text is not JSON, so the line is parsed whole.
    const nested = `{"seq":3,"x":{"y":1,${proof}}`;
    const split = splitProofText(nested);
    assert.throws(() => JSON.parse(split!.record));
  });
});
