import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMavenName, parseMavenPath } from './maven-names.js';

describe('Maven repository paths', () => {
  it('reads a file, its checksum and the two metadata levels', () => {
    assert.deepEqual(parseMavenPath('com/example/app/1.0/app-1.0-sources.jar'), {
      kind: 'file', checksum: null, name: 'com/example/app', groupId: 'com.example', artifactId: 'app', version: '1.0', fileName: 'app-1.0-sources.jar',
    });
    assert.equal(parseMavenPath('com/example/app/1.0/app-1.0.pom.sha512').checksum, 'sha512');
    assert.deepEqual(parseMavenPath('org/x/lib/maven-metadata.xml.sha1'), { kind: 'artifact-metadata', checksum: 'sha1', name: 'org/x/lib', groupId: 'org.x', artifactId: 'lib' });
    const snapshot = parseMavenPath('org/x/lib/2.0-SNAPSHOT/maven-metadata.xml');
    assert.equal(snapshot.kind, 'file');
    assert.equal(snapshot.kind === 'file' && snapshot.version, '2.0-SNAPSHOT');
    assert.equal(parseMavenPath('org/eclipse/jdt/org.eclipse.jdt.core/3.1/org.eclipse.jdt.core-3.1.jar').name, 'org/eclipse/jdt/org.eclipse.jdt.core');
  });

  it('refuses traversal, absolute paths and names outside Maven’s rules with 400', () => {
    const refused: Array<[string, RegExp]> = [
      ['com/example/../app/1.0/app-1.0.jar', /path is invalid/],
      ['/com/example/app/1.0/app-1.0.jar', /path is invalid/],
      ['com//app/1.0/app-1.0.jar', /path is invalid/],
      ['com/ex$ample/app/1.0/app-1.0.jar', /groupId is invalid/],
      ['com/example/.app/1.0/app-1.0.jar', /artifactId is invalid/],
      ['com/example/app/1..0/app-1.0.jar', /version is invalid/],
      ['com/example/app/1.0/other-1.0.jar', /file_name is invalid/],
      ['com/example/app/1.0/app-1.0\u0000.jar', /file_name is invalid/],
      ['app/1.0/app-1.0.jar', /groupId is invalid|path is invalid/],
    ];
    for (const [path, message] of refused) assert.throws(() => parseMavenPath(path), message, path);
  });

  it('checks package names in GitLab’s path form', () => {
    assert.deepEqual(parseMavenName('com/example/app'), { name: 'com/example/app', groupId: 'com.example', artifactId: 'app' });
    assert.throws(() => parseMavenName('app'), /groupId is invalid/);
    assert.throws(() => parseMavenName('com/../app'), /groupId is invalid/);
  });
});
