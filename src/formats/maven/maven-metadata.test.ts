import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { artifactMetadataXml, snapshotMetadataXml } from './maven-metadata.js';

const artifact = { name: 'com/example/app', groupId: 'com.example', artifactId: 'app' };

describe('computed maven-metadata.xml', () => {
  it('lists versions once, oldest first, with the newest as latest and the newest non-SNAPSHOT as release', () => {
    const xml = artifactMetadataXml(artifact, [
      { version: '1.0', updatedAt: '2026-12-01T10:00:00.000Z' },
      { version: '1.1', updatedAt: '2026-12-02T10:00:00.000Z' },
      { version: '1.0', updatedAt: '2026-12-01T11:00:00.000Z' },
      { version: '2.0-SNAPSHOT', updatedAt: '2026-12-03T09:08:07.000Z' },
    ]);
    assert.match(xml, /<latest>2\.0-SNAPSHOT<\/latest>\s*<release>1\.1<\/release>/);
    assert.deepEqual([...xml.matchAll(/<version>([^<]+)<\/version>/g)].map((m) => m[1]), ['1.0', '1.1', '2.0-SNAPSHOT']);
    assert.match(xml, /<lastUpdated>20261203090807<\/lastUpdated>/);
  });

  it('names the newest SNAPSHOT build and lists every stored build newest first', () => {
    const xml = snapshotMetadataXml(artifact, '1.0-SNAPSHOT', [
      'app-1.0-20261206.100000-1.jar',
      'app-1.0-20261206.100000-1.pom',
      'maven-metadata.xml',
      'app-1.0-20261206.110000-2.jar',
      'app-1.0-20261206.110000-2-sources.jar',
      'app-1.0-20261206.110000-2.pom',
      'app-1.0-SNAPSHOT.jar',
    ]);
    assert.match(xml, /<timestamp>20261206\.110000<\/timestamp>\s*<buildNumber>2<\/buildNumber>/);
    assert.deepEqual([...xml.matchAll(/<value>([^<]+)<\/value>/g)].map((m) => m[1]), [
      '1.0-20261206.110000-2', '1.0-20261206.110000-2', '1.0-20261206.110000-2', '1.0-20261206.100000-1', '1.0-20261206.100000-1',
    ]);
    assert.match(xml, /<classifier>sources<\/classifier>\s*<extension>jar<\/extension>/);
  });
});
