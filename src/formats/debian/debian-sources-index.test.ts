import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { sourcesIndexFiles, sourceStanza, type IndexedDsc } from './debian-sources-index.js';

const DSC: IndexedDsc = {
  name: 'libhello',
  version: '1:1.0-1',
  fileName: 'libhello_1.0-1.dsc',
  component: 'main',
  size: 728,
  md5: 'a'.repeat(32),
  sha1: 'b'.repeat(40),
  sha256: 'c'.repeat(64),
  fields: [
    ['Format', '3.0 (quilt)'],
    ['Source', 'libhello'],
    ['Version', '1:1.0-1'],
    ['Directory', 'pool/elsewhere'],
    ['Files', `\n ${'d'.repeat(32)} 162 libhello_1.0.orig.tar.gz`],
    ['Checksums-Sha256', `\n ${'e'.repeat(64)} 162 libhello_1.0.orig.tar.gz`],
  ],
};

describe('Debian Sources index', () => {
  it('writes the .dsc as Package, adds the .dsc to each file list first, and the pool Directory', () => {
    assert.equal(sourceStanza('tools', DSC), [
      'Package: libhello',
      'Format: 3.0 (quilt)',
      'Version: 1:1.0-1',
      'Section: misc',
      'Priority: optional',
      'Files:',
      ` ${'a'.repeat(32)} 728 libhello_1.0-1.dsc`,
      ` ${'d'.repeat(32)} 162 libhello_1.0.orig.tar.gz`,
      'Checksums-Sha1:',
      ` ${'b'.repeat(40)} 728 libhello_1.0-1.dsc`,
      'Checksums-Sha256:',
      ` ${'c'.repeat(64)} 728 libhello_1.0-1.dsc`,
      ` ${'e'.repeat(64)} 162 libhello_1.0.orig.tar.gz`,
      'Directory: pool/tools/libh/libhello/1:1.0-1',
      '',
    ].join('\n'));
  });

  it('gives each component its Sources and Sources.gz, the same bytes for the same packages', () => {
    const files = sourcesIndexFiles({ codename: 'tools', components: ['main', 'contrib'], architectures: ['all'] } as never, [DSC]);
    assert.deepEqual([...files.keys()], ['main/source/Sources', 'main/source/Sources.gz', 'contrib/source/Sources', 'contrib/source/Sources.gz']);
    assert.equal(gunzipSync(files.get('main/source/Sources.gz')!).toString(), files.get('main/source/Sources')!.toString());
    assert.equal(files.get('contrib/source/Sources')!.length, 0);
    assert.deepEqual(sourcesIndexFiles({ codename: 'tools', components: ['main'], architectures: ['all'] } as never, [DSC]).get('main/source/Sources.gz'), files.get('main/source/Sources.gz'));
  });
});
