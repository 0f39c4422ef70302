import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertGemFileName, assertGemName, assertGemPlatform, assertGemVersion, gemFullName } from './rubygems-names.js';

describe('RubyGems names', () => {
  it('accepts RubyGems names and refuses separators, traversal, leading dots or dashes and names without a letter', () => {
    for (const ok of ['rails', 'probe_hello', 'net-http', 'Foo.Bar', '_private', 'a1']) assert.equal(assertGemName(ok), ok);
    for (const bad of ['', '..', '../evil', 'a/b', 'a\\b', '.hidden', '-opt', 'a..b', '123', 'sp ace', 'nul\u0000', 'x'.repeat(256), 42]) {
      assert.throws(() => assertGemName(bad), /Invalid gem name/, String(bad));
    }
  });

  it('takes canonical Gem::Version strings only', () => {
    for (const ok of ['0.1.0', '1', '1.0.pre.rc1', '2.0.0.beta2']) assert.equal(assertGemVersion(ok), ok);
    for (const bad of ['', 'v1', '1..0', '1.0-rc1', '1.0/..', '.1', '1 0', undefined]) assert.throws(() => assertGemVersion(bad), /Invalid gem version/, String(bad));
  });

  it('reads a missing platform as ruby and refuses odd ones', () => {
    assert.equal(assertGemPlatform(undefined), 'ruby');
    assert.equal(assertGemPlatform(''), 'ruby');
    for (const ok of ['ruby', 'java', 'x86_64-linux', 'x64-mingw-ucrt', 'universal-darwin-21']) assert.equal(assertGemPlatform(ok), ok);
    for (const bad of ['x86/linux', '../x', 'a-b-c-d', '-linux']) assert.throws(() => assertGemPlatform(bad), /Invalid gem platform/, bad);
  });

  it('names files as gem does and refuses file names that could leave their folder', () => {
    assert.equal(gemFullName('a', '1.0', 'ruby'), 'a-1.0');
    assert.equal(gemFullName('a', '1.0', 'x86_64-linux'), 'a-1.0-x86_64-linux');
    assert.equal(assertGemFileName('net-http-0.1.0.gem'), 'net-http-0.1.0.gem');
    assert.equal(assertGemFileName('a-1.0.gemspec.rz', '.gemspec.rz'), 'a-1.0.gemspec.rz');
    for (const bad of ['../a-1.0.gem', 'a-1.0', 'a/b-1.0.gem', 'a-..gem', '..-1.gem', 'a-1.0.gem/x', 'a.gem', '-1.0.gem']) {
      assert.throws(() => assertGemFileName(bad), /Invalid gem file name/, bad);
    }
  });
});
