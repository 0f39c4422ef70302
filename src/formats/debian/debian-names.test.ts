import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertArchitecture, assertComponent, assertDebianFileName, assertDebianName, assertDebianVersion, assertDistributionName, assertUploadFileName, poolLetter } from './debian-names.js';

describe('Debian names', () => {
  it('follows policy for package names', () => {
    for (const ok of ['hello', 'libc6', 'g++', 'trove-hello', 'a.b+c-d', '0ad']) assert.equal(assertDebianName(ok), ok);
    for (const bad of ['a', 'Hello', '-x', '.x', '../evil', 'a/b', 'a_b', 'nul\u0000', 'sp ace', '']) assert.throws(() => assertDebianName(bad), /invalid/, bad);
  });

  it('follows policy for versions: epoch, upstream starting with a digit, revision after the last hyphen', () => {
    for (const ok of ['1.0', '1:2.3-4', '2.88dsf-59.10ubuntu1', '1.0~rc1+dfsg-1', '1.2-3-4', '0']) assert.equal(assertDebianVersion(ok), ok);
    for (const bad of ['a1.0', '1.0-', '1:', ':1.0', '1.0_1', '1.0/2', '1 0', '1.0-a:b', 'x'.repeat(300)]) assert.throws(() => assertDebianVersion(bad), /invalid/, bad);
  });

  it('checks architectures, distributions and components', () => {
    assert.equal(assertArchitecture('amd64'), 'amd64');
    assert.equal(assertArchitecture('musl-linux-arm64'), 'musl-linux-arm64');
    assert.throws(() => assertArchitecture('AMD64'), /invalid/);
    assert.equal(assertDistributionName('bookworm'), 'bookworm');
    assert.equal(assertDistributionName('stable-updates'), 'stable-updates');
    for (const bad of ['..', '.x', 'a/b', 'a..b']) assert.throws(() => assertDistributionName(bad), /invalid/, bad);
    assert.equal(assertComponent('main'), 'main');
    assert.throws(() => assertComponent('main/x'), /invalid/);
  });

  it('takes .deb file names without separators or traversal', () => {
    assert.equal(assertDebianFileName('hello_1.0-1_amd64.deb'), 'hello_1.0-1_amd64.deb');
    assert.equal(assertDebianFileName('hello_1.0~rc1+dfsg_all.deb'), 'hello_1.0~rc1+dfsg_all.deb');
    for (const bad of ['../evil.deb', '..', 'a/b.deb', 'a\\b.deb', 'x..deb', '.deb', 'hello.txt', 'nul\u0000.deb', 'tab\t.deb']) assert.throws(() => assertDebianFileName(bad), /invalid/, bad);
  });

  it('takes a source package\'s and a build\'s file names, without separators or traversal', () => {
    for (const good of ['hello_1.0-1_amd64.deb', 'hello_1.0-1.dsc', 'hello_1.0.orig.tar.gz', 'hello_1.0.orig.tar.gz.asc', 'hello_1.0.orig-docs.tar.xz', 'hello_1.0-1.debian.tar.xz', 'hello_1.0-1.diff.gz', 'hello_1.0-1_source.buildinfo']) assert.equal(assertUploadFileName(good), good);
    for (const bad of ['../evil.dsc', 'a/b.tar.gz', 'x..dsc', '.dsc', 'hello.tar', 'hello.changes', 'hello.diff.gz.asc', 'nul\u0000.dsc']) assert.throws(() => assertUploadFileName(bad), /invalid/, bad);
  });

  it('puts lib packages under their four-letter folder', () => {
    assert.equal(poolLetter('libfoo'), 'libf');
    assert.equal(poolLetter('hello'), 'h');
    assert.equal(poolLetter('lib'), 'l');
  });
});
