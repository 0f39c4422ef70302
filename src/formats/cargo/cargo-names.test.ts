import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertCrateFileName, assertCrateName, assertCrateVersion, indexPath, normalizeCrateName, withoutBuildMetadata } from './cargo-names.js';

describe('Cargo names', () => {
  it('accepts crate names and refuses separators, traversal, a leading digit or dash, reserved and long names', () => {
    for (const ok of ['serde', 'probe_hello', 'tokio-util', 'A', 'x'.repeat(64)]) assert.equal(assertCrateName(ok), ok);
    for (const bad of ['', '..', '../evil', 'a/b', 'a\\b', '.hidden', '-opt', '_x', '2024', 'sp ace', 'nul\u0000', 'a.b', 'con', 'NUL', 'x'.repeat(65), 42]) {
      assert.throws(() => assertCrateName(bad), /Invalid crate name/, String(bad));
    }
  });

  it('takes SemVer versions only', () => {
    for (const ok of ['0.1.0', '1.0.0-alpha.1', '1.0.0+build.5', '10.20.30-rc.1+meta']) assert.equal(assertCrateVersion(ok), ok);
    for (const bad of ['', '1', '1.0', 'v1.0.0', '01.0.0', '1.0.0-', '1.0.0/..', '1.0.0 ', undefined]) assert.throws(() => assertCrateVersion(bad), /Invalid crate version/, String(bad));
  });

  it('normalises names as crates.io compares them, and versions without build metadata', () => {
    assert.equal(normalizeCrateName('Foo-Bar_baz'), 'foo_bar_baz');
    assert.equal(withoutBuildMetadata('1.0.0+a'), '1.0.0');
    assert.equal(withoutBuildMetadata('1.0.0-rc.1'), '1.0.0-rc.1');
  });

  it('places index files as cargo looks for them', () => {
    assert.equal(indexPath('a'), '1/a');
    assert.equal(indexPath('ab'), '2/ab');
    assert.equal(indexPath('abc'), '3/a/abc');
    assert.equal(indexPath('Probe_Hello'), 'pr/ob/probe_hello');
  });

  it('checks stored .crate file names', () => {
    assert.equal(assertCrateFileName('tokio-util-0.7.1.crate'), 'tokio-util-0.7.1.crate');
    for (const bad of ['../a-1.0.0.crate', 'a-1.0.0', 'a/b-1.0.0.crate', 'a-1.0.crate', 'a-1.0.0/x.crate']) assert.throws(() => assertCrateFileName(bad), /Invalid crate (file name|version)/, bad);
  });
});
