// UUIDv7 ids of audit events, from pooled randomness.
//
// uuid's v7() asks crypto.getRandomValues for 16 fresh bytes for every id: ~2 µs a call, and a
// profile under the download benchmark's load put it at ~5 µs an event. Here one randomFillSync
// fills 4 KiB, enough for 256 ids, and each id takes its own 16 bytes of it (no byte is used twice).
// Given `random`, v7 takes msecs = Date.now() and its sequence and random bits from those bytes,
// and skips uuid's in-process monotonic counter: two ids of the same millisecond are then in random
// rather than creation order. Nothing in Trove relies on that order: events are ordered by `seq`.
import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

const pool = new Uint8Array(4096);
let next = pool.length;

export function uuidV7(): string {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  const random = pool.subarray(next, next + 16);
  next += 16;
  return v7({ random });
}
