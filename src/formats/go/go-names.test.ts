import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertGoFileName,
  assertGoModulePath,
  assertGoVersion,
  assertVersionFitsPath,
  escapeGoPath,
  isPseudoVersion,
  parseGoPath,
  unescapeGoPath,
} from './go-names.js';

// golang.org/x/mod/module's CheckPath, EscapePath/UnescapePath and canonical versions, at their edges.

describe('Go module paths', () => {
  it('accepts what CheckPath accepts', () => {
    for (const ok of ['example.com/hello', 'github.com/Azure/azure-sdk', 'golang.org/x/mod', 'example.com/a/v2', 'gopkg.in/yaml.v3', 'example.com/a_b~c/d.e', 'my-host.io']) {
      assert.equal(assertGoModulePath(ok), ok);
    }
  });

  it('refuses traversal, separators, empty elements and bad first elements', () => {
    for (const bad of [
      '../evil', 'example.com/../evil', 'example.com/./x', '/example.com/x', 'example.com/x/', 'example.com//x', 'example.com\\x',
      'example.com/a b', 'example.com/nul\u0000', 'hello', 'Example.com/x', '-example.com/x', 'example.com/.hidden', 'example.com/x.',
      'example.com/con', 'example.com/NUL.txt', 'example.com/abc~1', 'example.com/x/v1', 'example.com/x/v0', 'example.com/x/v02', 'gopkg.in/yaml',
      'example.com/a@b', '', 'e.c/' + 'x'.repeat(260),
    ]) {
      assert.throws(() => assertGoModulePath(bad), /module path is invalid/, JSON.stringify(bad));
    }
  });

  it('case-encodes as go does, and refuses paths that are not case-encoded', () => {
    assert.equal(escapeGoPath('github.com/Azure/SDK'), 'github.com/!azure/!s!d!k');
    assert.equal(unescapeGoPath('github.com/!azure/!s!d!k'), 'github.com/Azure/SDK');
    assert.equal(unescapeGoPath('github.com/Azure'), null);
    assert.equal(unescapeGoPath('github.com/!!a'), null);
    assert.equal(unescapeGoPath('github.com/a!'), null);
    assert.equal(unescapeGoPath('github.com/!1'), null);
  });
});

describe('Go versions', () => {
  it('accepts canonical semantic versions, pre-releases, pseudo-versions and +incompatible', () => {
    for (const ok of ['v0.0.1', 'v1.2.3', 'v1.2.3-rc.1', 'v1.2.3-RC1', 'v0.0.0-20191109021931-daa7c04131f5', 'v1.2.4-0.20191109021931-daa7c04131f5', 'v2.0.0+incompatible']) {
      assert.equal(assertGoVersion(ok), ok);
    }
  });

  it('refuses what is not canonical', () => {
    for (const bad of ['1.0.0', 'v1', 'v1.2', 'v01.2.3', 'v1.2.3+build', 'v1.2.3-', 'v1.2.3-01', 'v1.2.3-a..b', 'v1.0.0+incompatible', 'v1.2.3/../x', 'V1.2.3', 'latest', '']) {
      assert.throws(() => assertGoVersion(bad), /version is invalid/, bad);
    }
  });

  it('tells pseudo-versions apart', () => {
    assert.ok(isPseudoVersion('v0.0.0-20191109021931-daa7c04131f5'));
    assert.ok(isPseudoVersion('v1.2.4-0.20191109021931-daa7c04131f5'));
    assert.ok(!isPseudoVersion('v1.2.3-rc.1'));
    assert.ok(!isPseudoVersion('v1.2.3'));
  });

  it('matches a version to the major version of its path, as CheckPathMajor', () => {
    assertVersionFitsPath('example.com/a', 'v1.9.0');
    assertVersionFitsPath('example.com/a', 'v0.1.0');
    assertVersionFitsPath('example.com/a', 'v3.0.0+incompatible');
    assertVersionFitsPath('example.com/a/v2', 'v2.1.0');
    assertVersionFitsPath('gopkg.in/yaml.v3', 'v3.0.1');
    assert.throws(() => assertVersionFitsPath('example.com/a', 'v2.0.0'), /needs a module path ending in \/v2/);
    assert.throws(() => assertVersionFitsPath('example.com/a/v2', 'v3.0.0'), /major version \/v2/);
    assert.throws(() => assertVersionFitsPath('example.com/a/v2', 'v1.0.0'), /major version \/v2/);
    assert.throws(() => assertVersionFitsPath('gopkg.in/yaml.v3', 'v2.0.0'), /major version/);
  });

  it('names stored files <version>.info|.mod|.zip', () => {
    assert.equal(assertGoFileName('v1.0.0.zip'), 'v1.0.0.zip');
    for (const bad of ['v1.0.0.tar', '../v1.0.0.zip', 'x.mod', 'v1.0.0/.mod']) assert.throws(() => assertGoFileName(bad), /invalid/, bad);
  });
});

describe('GOPROXY paths', () => {
  it('parses list, latest and the three files, case-decoded', () => {
    assert.deepEqual(parseGoPath('github.com/!azure/x/@v/list'), { module: 'github.com/Azure/x', kind: 'list' });
    assert.deepEqual(parseGoPath('example.com/x/@latest'), { module: 'example.com/x', kind: 'latest' });
    assert.deepEqual(parseGoPath('example.com/x/@v/v1.0.0-!r!c1.info'), { module: 'example.com/x', kind: 'info', version: 'v1.0.0-RC1' });
    assert.deepEqual(parseGoPath('example.com/x/v2/@v/v2.0.0.zip'), { module: 'example.com/x/v2', kind: 'zip', version: 'v2.0.0' });
  });

  it('refuses anything else', () => {
    for (const bad of ['example.com/x', 'example.com/x/@v/', 'example.com/x/@v/v1.0.0.tgz', 'example.com/x/@v/../../v1.0.0.mod', 'github.com/Azure/x/@v/list', '../x/@v/list', 'example.com/x/@v/1.0.0.mod', 'example.com/x/@v/v1.0.0.mod/extra']) {
      assert.throws(() => parseGoPath(bad), /invalid/, bad);
    }
  });
});
