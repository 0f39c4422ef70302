import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertGenericFileName, assertGenericName, assertGenericVersion, parseGenericStatus } from './generic-names.js';

// The edges of GitLab's generic rules that the end-to-end table does not reach.

describe('generic package names', () => {
  it('accepts 255 characters and refuses 256', () => {
    assert.equal(assertGenericName('n'.repeat(255)), 'n'.repeat(255));
    assert.throws(() => assertGenericName('n'.repeat(256)), /package_name is invalid/);
    assert.throws(() => assertGenericFileName(`${'f'.repeat(256)}`), /file_name is invalid/);
  });

  it('follows GitLab’s version rule: word characters, "+", ".", "-", never ".."', () => {
    for (const ok of ['1.0.0', 'v1.0.0-rc.1+build.5', '2.88dsf-59.10ubuntu1', 'a_b']) assert.equal(assertGenericVersion(ok), ok);
    for (const bad of ['1..0', '1.0~rc1', '1/0', '', ' 1.0']) assert.throws(() => assertGenericVersion(bad), /package_version is invalid/, bad);
  });

  it('refuses names made only of dots and file names with ".." anywhere', () => {
    assert.throws(() => assertGenericName('.'), /package_name is invalid/);
    assert.throws(() => assertGenericFileName('...'), /file_name is invalid/);
    assert.throws(() => assertGenericFileName('x..y'), /file_name is invalid/);
    assert.equal(assertGenericFileName('.hidden~1+2'), '.hidden~1+2');
  });

  it('takes status default or hidden, nothing else', () => {
    assert.equal(parseGenericStatus(undefined), undefined);
    assert.equal(parseGenericStatus('hidden'), 'hidden');
    assert.throws(() => parseGenericStatus('pending_destruction'), /status does not have a valid value/);
  });
});
