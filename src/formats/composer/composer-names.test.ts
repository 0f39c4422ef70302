import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertComposerFileName, assertComposerName, assertComposerVersion, composerFileName, normalizeComposerVersion } from './composer-names.js';

describe('Composer package names', () => {
  it('accepts vendor/name as Composer does', () => {
    for (const ok of ['acme/http-client', 'a/b', 'acme2/lib_x.y', 'acme/double--dash', 'symfony/polyfill-php80']) assert.equal(assertComposerName(ok), ok);
  });

  it('refuses traversal, separators, upper case and doubled punctuation', () => {
    for (const bad of ['../evil', 'acme/../evil', 'acme', 'Acme/lib', 'acme/lib/x', 'acme\\lib', 'acme/-lib', 'acme/lib-', 'ac..me/lib', 'acme/nul\u0000', 'acme/sp ace', '', 'a--b/c']) {
      assert.throws(() => assertComposerName(bad), /vendor\/name|no "name"/, bad);
    }
    assert.throws(() => assertComposerName(42), /no "name"/);
    assert.throws(() => assertComposerName(`acme/${'x'.repeat(251)}`), /vendor\/name/);
  });
});

describe('Composer versions', () => {
  it('normalizes as Composer’s VersionParser', () => {
    const cases: Array<[string, string]> = [
      ['1.0.0', '1.0.0.0'],
      ['1.0', '1.0.0.0'],
      ['v2.1', '2.1.0.0'],
      ['1.2.3.4', '1.2.3.4'],
      ['1.0.0-beta2', '1.0.0.0-beta2'],
      ['1.0.0-b.2', '1.0.0.0-beta2'],
      ['1.0.0-RC1', '1.0.0.0-RC1'],
      ['1.0.0rc1', '1.0.0.0-RC1'],
      ['1.0.0-alpha', '1.0.0.0-alpha'],
      ['1.0.0-pl3', '1.0.0.0-patch3'],
      ['1.0.0-stable', '1.0.0.0'],
      ['1.0.0-dev', '1.0.0.0-dev'],
      ['1.0.0+build.5', '1.0.0.0'],
      ['20231201', '20231201'],
      ['2023-12-01', '2023.12.01'],
      ['dev-main', 'dev-main'],
      ['master', 'dev-master'],
      ['1.x-dev', '1.9999999.9999999.9999999-dev'],
    ];
    for (const [given, normalized] of cases) assert.equal(normalizeComposerVersion(given), normalized, given);
  });

  it('refuses what Composer calls invalid and what cannot be in a file name', () => {
    for (const bad of ['', 'latest', '1.0.0-foo', '1..0', 'feature-dev', '1.0 as 2.0', '1.0@dev', 'dev-feat/x', '../1.0', 'v1.0\u0000']) {
      assert.throws(() => assertComposerVersion(bad), /version/, bad);
    }
    assert.equal(assertComposerVersion('v1.0.0'), 'v1.0.0');
    assert.equal(assertComposerVersion('dev-main'), 'dev-main');
  });
});

describe('Composer file names', () => {
  it('derives the zip name from name and version, and refuses anything else', () => {
    assert.equal(composerFileName('acme/http-client', '1.0.0'), 'acme-http-client-1.0.0.zip');
    assert.equal(assertComposerFileName('acme-http-client-1.0.0.zip'), 'acme-http-client-1.0.0.zip');
    for (const bad of ['../evil.zip', 'a/b.zip', 'a\\b.zip', 'x.tar.gz', '..', 'nul\u0000.zip']) assert.throws(() => assertComposerFileName(bad), /file_name/, bad);
  });
});
