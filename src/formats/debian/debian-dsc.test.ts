import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBuildinfo } from './debian-buildinfo.js';
import { parseChanges } from './debian-changes.js';
import { parseDsc } from './debian-dsc.js';

// Files as dpkg-buildpackage -S writes them (trimmed), clear-signed as debsign signs them.

const ORIG = { md5: '3504000b4e558880705db7711b019ed7', sha1: '7518def5f95a18f87541a348b4da486341bbf17e', sha256: '9e8d4e3d39c5c77e5d17adf5ee69bb9a7a519eefd96446733f59f56699aec63a' };
const DEBIAN = { md5: 'f50e1174570a1189f323d09faa2cc558', sha1: '96dc1e39776550a4b56f14cab58960f77707324e', sha256: '98a1ccc0a3ab0e717bb76e46e7beba217c5dbfa7eaa83f02b1084653905797ba' };

const DSC = [
  'Format: 3.0 (quilt)',
  'Source: hello',
  'Binary: hello',
  'Architecture: all',
  'Version: 1.0-1',
  'Maintainer: Trove Tests <tests@example.com>',
  'Package-List:',
  ' hello deb utils optional arch=all',
  'Checksums-Sha1:',
  ` ${ORIG.sha1} 162 hello_1.0.orig.tar.gz`,
  ` ${DEBIAN.sha1} 548 hello_1.0-1.debian.tar.xz`,
  'Checksums-Sha256:',
  ` ${ORIG.sha256} 162 hello_1.0.orig.tar.gz`,
  ` ${DEBIAN.sha256} 548 hello_1.0-1.debian.tar.xz`,
  'Files:',
  ` ${ORIG.md5} 162 hello_1.0.orig.tar.gz`,
  ` ${DEBIAN.md5} 548 hello_1.0-1.debian.tar.xz`,
  '',
].join('\n');

const clearSigned = (text: string) => `-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n${text}\n-----BEGIN PGP SIGNATURE-----\n\niHUEARYKAB0WIQQ=\n=abcd\n-----END PGP SIGNATURE-----\n`;

describe('Debian source control files (.dsc) and build records (.buildinfo)', () => {
  it('reads a clear-signed .dsc: source, version, each file with its checksums, the fields in their order', () => {
    const dsc = parseDsc(clearSigned(DSC));
    assert.deepEqual([dsc.source, dsc.version], ['hello', '1.0-1']);
    assert.deepEqual(dsc.files, [
      { name: 'hello_1.0.orig.tar.gz', size: 162, ...ORIG },
      { name: 'hello_1.0-1.debian.tar.xz', size: 548, ...DEBIAN },
    ]);
    assert.deepEqual(dsc.fields.slice(0, 2), [['Format', '3.0 (quilt)'], ['Source', 'hello']]);
    assert.deepEqual(dsc.fields.find(([name]) => name === 'Package-List'), ['Package-List', '\n hello deb utils optional arch=all']);
  });

  it('refuses a .dsc that lists an unsafe or foreign file name, no files, inconsistent sizes, or a bad source or version', () => {
    assert.throws(() => parseDsc(DSC.replaceAll('hello_1.0.orig.tar.gz', '../../evil.tar.gz')), /invalid/);
    assert.throws(() => parseDsc(DSC.replaceAll('hello_1.0.orig.tar.gz', 'hello_1.0.orig.tar.gz/x')), /invalid/);
    assert.throws(() => parseDsc(DSC.replaceAll('hello_1.0.orig.tar.gz', 'other.dsc')), /not a source tarball or diff/);
    assert.throws(() => parseDsc(DSC.replace(/Files:\n.*\n.*\n/, '')), /lists no files/);
    assert.throws(() => parseDsc(DSC.replace(`${ORIG.md5} 162`, `${ORIG.md5} 163`)), /two sizes/);
    assert.throws(() => parseDsc(DSC.replace(`${ORIG.md5} 162`, 'zz 162')), /malformed/);
    assert.throws(() => parseDsc(DSC.replace('Source: hello', 'Source: Hello_World')), /Package name/);
    assert.throws(() => parseDsc(DSC.replace('Version: 1.0-1', 'Version: one')), /Version/);
    assert.throws(() => parseDsc(`-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n${DSC}`), /signature block is missing/);
  });

  it('reads a .buildinfo\'s source (without its version suffix) and version', () => {
    const text = 'Format: 1.0\nSource: hello (1.0-1+b1)\nBinary: hello\nArchitecture: all source\nVersion: 1.0-1\nInstalled-Build-Depends:\n base-files (= 12.4),\n bash (= 5.2.15-2+b8)\n';
    assert.deepEqual(parseBuildinfo(clearSigned(text)), { source: 'hello', version: '1.0-1' });
    assert.throws(() => parseBuildinfo(text.replace('Source: hello (1.0-1+b1)\n', '')), /\.buildinfo file has no Source field/);
  });

  it('reads a clear-signed source-only .changes listing the .dsc, its tarballs and the .buildinfo', () => {
    const changes = parseChanges(clearSigned([
      'Format: 1.8',
      'Source: hello',
      'Architecture: source',
      'Version: 1.0-1',
      'Distribution: stable',
      'Checksums-Sha256:',
      ` ${ORIG.sha256} 162 hello_1.0.orig.tar.gz`,
      'Files:',
      ` ${'1'.repeat(32)} 728 utils optional hello_1.0-1.dsc`,
      ` ${ORIG.md5} 162 utils optional hello_1.0.orig.tar.gz`,
      ` ${DEBIAN.md5} 548 utils optional hello_1.0-1.debian.tar.xz`,
      ` ${'2'.repeat(32)} 4097 utils optional hello_1.0-1_source.buildinfo`,
    ].join('\n')));
    assert.equal(changes.architecture, 'source');
    assert.deepEqual(changes.files.map((file) => file.name), ['hello_1.0-1.dsc', 'hello_1.0.orig.tar.gz', 'hello_1.0-1.debian.tar.xz', 'hello_1.0-1_source.buildinfo']);
    assert.equal(changes.files[1].sha256, ORIG.sha256);
  });
});
