import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { byteRangeOf, sliceOf } from './byte-ranges.js';

const bytes = Buffer.from('0123456789abcdefghij');

async function text(body: Buffer | Readable): Promise<string> {
  if (Buffer.isBuffer(body)) return body.toString();
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

describe('blob byte ranges', () => {
  it('reads bytes=<start>-<end> and an open end, capped at the blob', () => {
    assert.deepEqual(byteRangeOf('bytes=2-5', 20), { start: 2, end: 5 });
    assert.deepEqual(byteRangeOf('bytes=15-', 20), { start: 15, end: 19 });
    assert.deepEqual(byteRangeOf('bytes=15-99', 20), { start: 15, end: 19 });
    assert.equal(byteRangeOf(undefined, 20), null);
    assert.equal(byteRangeOf('bytes=-5', 20), null);
    assert.equal(byteRangeOf('bytes=0-1,4-5', 20), null);
    assert.throws(() => byteRangeOf('bytes=20-', 20), /not within/);
    assert.throws(() => byteRangeOf('bytes=5-2', 20), /not within/);
  });

  it('slices a buffer and a stream of several chunks alike', async () => {
    const range = { start: 3, end: 12 };
    const chunks = [bytes.subarray(0, 4), bytes.subarray(4, 9), bytes.subarray(9, 11), bytes.subarray(11)];
    assert.equal(await text(sliceOf(bytes, range)), '3456789abc');
    assert.equal(await text(sliceOf(Readable.from(chunks), range)), '3456789abc');
    assert.equal(await text(sliceOf(Readable.from(chunks), { start: 19, end: 19 })), 'j');
  });
});
