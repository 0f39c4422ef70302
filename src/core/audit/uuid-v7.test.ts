import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uuidV7 } from './uuid-v7.js';

describe('uuidV7', () => {
  it('gives distinct RFC 9562 version 7 ids stamped with the current time', () => {
    const count = 100_000;
    const before = Date.now();
    const ids = Array.from({ length: count }, () => uuidV7());
    const after = Date.now();
    assert.equal(new Set(ids).size, count);
    for (const id of ids) {
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/); // version 7, variant 10xx
      const msecs = Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16); // unix_ts_ms, 48 bits
      assert.ok(msecs >= before - 1000 && msecs <= after + 1000, `${id}: ${msecs} is not within a second of ${before}..${after}`);
    }
  });

  it('uses fresh random bits across pool refills', () => {
    // 256 ids use one 4 KiB pool; compare the random tails (rand_b) of several pools' worth.
    const tails = Array.from({ length: 1_000 }, () => uuidV7().slice(19).replace('-', ''));
    assert.equal(new Set(tails).size, tails.length);
  });
});
