import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { componentOf, parseChanges, stripClearSignature } from './debian-changes.js';

const MD5 = 'd41d8cd98f00b204e9800998ecf8427e';
const SHA1 = 'da39a3ee5e6b4b0d3255bfef95601890afd80709';
const SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const CHANGES = [
  'Format: 1.8',
  'Date: Mon, 07 Dec 2026 04:00:00 +0000',
  'Source: hello (1.0-1)',
  'Binary: hello',
  'Architecture: all',
  'Version: 1.0-1',
  'Distribution: stable',
  'Checksums-Sha1:',
  ` ${SHA1} 0 hello_1.0-1_all.deb`,
  'Checksums-Sha256:',
  ` ${SHA256} 0 hello_1.0-1_all.deb`,
  'Files:',
  ` ${MD5} 0 contrib/utils optional hello_1.0-1_all.deb`,
  '',
].join('\n');

describe('Debian .changes files', () => {
  it('reads the distribution and each file with its section and checksums', () => {
    const changes = parseChanges(CHANGES);
    assert.deepEqual([changes.source, changes.version, changes.architecture, changes.distribution], ['hello', '1.0-1', 'all', 'stable']);
    assert.deepEqual(changes.files, [{ name: 'hello_1.0-1_all.deb', size: 0, section: 'contrib/utils', md5: MD5, sha1: SHA1, sha256: SHA256 }]);
    assert.equal(componentOf(changes.files[0]), 'contrib');
    assert.equal(componentOf({ ...changes.files[0], section: 'utils' }), 'main');
  });

  it('reads a clear-signed .changes as its signed text, dash-escaped lines unescaped', () => {
    const signed = `-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n${CHANGES.replace('Format: 1.8', '- Format: 1.8')}\n-----BEGIN PGP SIGNATURE-----\n\niQ==\n-----END PGP SIGNATURE-----\n`;
    assert.equal(stripClearSignature(signed).split('\n')[0], 'Format: 1.8');
    assert.equal(parseChanges(signed).distribution, 'stable');
    assert.throws(() => parseChanges('-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nFormat: 1.8\n'), /signature block is missing/);
  });

  it('refuses a .changes without a distribution, files, or with malformed or inconsistent lines', () => {
    assert.throws(() => parseChanges(CHANGES.replace('Distribution: stable\n', '')), /no Distribution field/);
    assert.throws(() => parseChanges(CHANGES.replace(/Files:\n.*\n/, 'Files:\n')), /lists no files/);
    assert.throws(() => parseChanges(CHANGES.replace(` ${MD5} 0 contrib`, ` xyz 0 contrib`)), /Files field has a malformed line/);
    assert.throws(() => parseChanges(CHANGES.replace(` ${SHA256} 0 hello`, ` ${SHA256} 0 other`)), /Checksums-Sha256 lists other/);
    assert.throws(() => parseChanges(CHANGES.replace(` ${SHA1} 0 hello`, ` ${SHA1} 5 hello`)), /two sizes/);
  });
});
