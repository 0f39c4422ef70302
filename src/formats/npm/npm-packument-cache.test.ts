import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PackumentCache, renderJson } from './npm-packument-cache.js';

// The packument cache only ever answers for the fingerprint it was filled with, and stays bounded.

describe('PackumentCache', () => {
  it('answers only for the same fingerprint', () => {
    const cache = new PackumentCache();
    const doc = renderJson({ name: 'left-pad', versions: {} });
    cache.set('1/left-pad/full', 'f1', doc);
    assert.equal(cache.get('1/left-pad/full', 'f1'), doc);
    assert.equal(cache.get('1/left-pad/full', 'f2'), undefined);
    assert.equal(cache.get('1/left-pad/abbreviated', 'f1'), undefined);
    const newer = renderJson({ name: 'left-pad', versions: { '1.0.0': {} } });
    cache.set('1/left-pad/full', 'f2', newer);
    assert.equal(cache.get('1/left-pad/full', 'f2'), newer);
    assert.equal(cache.get('1/left-pad/full', 'f1'), undefined);
  });

  it('gives the same document the same strong ETag', () => {
    assert.equal(renderJson({ a: 1 }).etag, renderJson({ a: 1 }).etag);
    assert.notEqual(renderJson({ a: 1 }).etag, renderJson({ a: 2 }).etag);
    assert.match(renderJson({ a: 1 }).etag, /^"[A-Za-z0-9_-]{27}"$/);
  });

  it('drops the least recently used documents beyond its size bound', () => {
    const cache = new PackumentCache();
    const big = renderJson({ pad: 'x'.repeat(3 * 1024 * 1024) });
    for (let i = 0; i < 8; i++) cache.set(`1/p${i}/full`, 'f', big);
    // 16 MiB hold five 3 MiB documents: the three oldest are gone, the newest are kept.
    assert.equal(cache.get('1/p0/full', 'f'), undefined);
    assert.equal(cache.get('1/p2/full', 'f'), undefined);
    assert.equal(cache.get('1/p7/full', 'f'), big);
    assert.equal(cache.get('1/p3/full', 'f'), big);
  });
});
