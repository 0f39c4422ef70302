import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decimalUpTo, MAX_ID } from './schemas.js';

describe('decimalUpTo', () => {
  it('matches exactly the decimals from 1 to max, without leading zeros', () => {
    for (const max of [1, 9, 10, 57, 100, 909, 1000, 2024]) {
      const pattern = new RegExp(decimalUpTo(max), 'u');
      for (let n = 0; n <= max + 120; n++) assert.equal(pattern.test(String(n)), n >= 1 && n <= max, `${n} against ${max}`);
      for (const text of ['', '01', '-1', '1.0', '1e3', ' 1', '1 ']) assert.equal(pattern.test(text), false, `"${text}" against ${max}`);
    }
  });

  it('bounds ids to the database range', () => {
    const pattern = new RegExp(decimalUpTo(MAX_ID), 'u');
    for (const text of ['1', '999999999', '2147483647', '2147483639', '1999999999']) assert.ok(pattern.test(text), text);
    for (const text of ['2147483648', '2147483650', '2200000000', '9999999999', '99999999999999999999', '0']) assert.ok(!pattern.test(text), text);
  });
});
