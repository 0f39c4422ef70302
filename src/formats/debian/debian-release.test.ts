import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { DistributionFields } from './debian-distributions.js';
import { indexFiles, packageStanza, releaseDate, releaseText, type IndexedDeb } from './debian-release.js';

const distribution: DistributionFields = {
  codename: 'stable',
  suite: null,
  origin: 'Trove',
  label: null,
  version: null,
  description: 'Tools',
  valid_time_duration_seconds: 86_400,
  components: ['main'],
  architectures: ['all', 'amd64'],
};

const deb: IndexedDeb = {
  name: 'libhello',
  version: '1:1.0-1',
  fileName: 'libhello_1.0-1_amd64.deb',
  component: 'main',
  architecture: 'amd64',
  size: 1234,
  md5: 'm'.repeat(32),
  sha1: 's'.repeat(40),
  sha256: 'a'.repeat(64),
  control: [
    ['Package', 'libhello'],
    ['Version', '1:1.0-1'],
    ['Architecture', 'amd64'],
    ['Description', 'hello\n more text'],
    ['SHA256', 'forged'],
  ],
};

describe('Debian indexes', () => {
  it('writes a Packages paragraph with the pool path and the stored digests, never the client’s', () => {
    const text = packageStanza('stable', deb);
    assert.match(text, /^Package: libhello\nVersion: 1:1.0-1\nArchitecture: amd64\nDescription: hello\n more text\n/);
    assert.match(text, /\nFilename: pool\/stable\/libh\/libhello\/1:1.0-1\/libhello_1.0-1_amd64.deb\nSize: 1234\n/);
    assert.match(text, /\nSHA256: a{64}\n$/);
    assert.doesNotMatch(text, /forged/);
  });

  it('lists each index in Release with size, MD5 and SHA-256, Valid-Until a duration after Date', () => {
    const files = indexFiles(distribution, [deb]);
    assert.deepEqual([...files.keys()], ['main/binary-all/Packages', 'main/binary-all/Packages.gz', 'main/binary-amd64/Packages', 'main/binary-amd64/Packages.gz']);
    assert.equal(files.get('main/binary-all/Packages')!.length, 0);
    const packages = files.get('main/binary-amd64/Packages')!;
    assert.deepEqual(gunzipSync(files.get('main/binary-amd64/Packages.gz')!), packages);
    const release = releaseText(distribution, files, new Date('2026-12-07T03:00:00Z'));
    assert.match(release, /^Origin: Trove\nCodename: stable\nDate: Mon, 07 Dec 2026 03:00:00 UTC\nValid-Until: Tue, 08 Dec 2026 03:00:00 UTC\nArchitectures: all amd64\nComponents: main\nDescription: Tools\nMD5Sum:\n/);
    const sha = createHash('sha256').update(packages).digest('hex');
    assert.ok(release.includes(`\n ${sha} ${packages.length} main/binary-amd64/Packages\n`), release);
    assert.equal(releaseText(distribution, indexFiles(distribution, [deb]), new Date('2026-12-07T03:00:00Z')), release, 'the same packages give the same bytes');
  });

  it('dates a Release at its last change, and at least at the current hour', () => {
    const now = new Date('2026-12-07T05:42:10.500Z');
    assert.equal(releaseDate([], now).toISOString(), '2026-12-07T05:00:00.000Z');
    assert.equal(releaseDate(['2026-12-07T05:30:01.900Z', '2026-12-01T00:00:00Z'], now).toISOString(), '2026-12-07T05:30:01.000Z');
    assert.equal(releaseDate(['2027-01-01T00:00:00Z'], now).toISOString(), '2026-12-07T05:00:00.000Z', 'never in the future');
  });
});
