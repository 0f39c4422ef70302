import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseNpmPath } from './npm-paths.js';

// Paths below /api/v4/projects/:id/packages/npm/ as npm, pnpm and yarn request them
// (Fastify has already decoded "@scope%2fname" to "@scope/name").

describe('parseNpmPath', () => {
  it('reads packuments, plain and scoped', () => {
    assert.deepEqual(parseNpmPath('left-pad'), { kind: 'packument', name: 'left-pad' });
    assert.deepEqual(parseNpmPath('@acme/ui-kit'), { kind: 'packument', name: '@acme/ui-kit' });
    assert.deepEqual(parseNpmPath('@acme/ui-kit/'), { kind: 'packument', name: '@acme/ui-kit' });
  });

  it('reads a version or tag document', () => {
    assert.deepEqual(parseNpmPath('left-pad/1.3.0'), { kind: 'version', name: 'left-pad', spec: '1.3.0' });
    assert.deepEqual(parseNpmPath('@acme/ui-kit/1.4.0'), { kind: 'version', name: '@acme/ui-kit', spec: '1.4.0' });
    assert.deepEqual(parseNpmPath('@acme/ui-kit/latest'), { kind: 'version', name: '@acme/ui-kit', spec: 'latest' });
  });

  it('reads tarballs', () => {
    assert.deepEqual(parseNpmPath('left-pad/-/left-pad-1.3.0.tgz'), { kind: 'tarball', name: 'left-pad', fileName: 'left-pad-1.3.0.tgz' });
    assert.deepEqual(parseNpmPath('@acme/ui-kit/-/ui-kit-1.4.0.tgz'), { kind: 'tarball', name: '@acme/ui-kit', fileName: 'ui-kit-1.4.0.tgz' });
  });

  it('reads the attestations of a version (dist.attestations.url), scoped names with the slash raw or %2f', () => {
    assert.deepEqual(parseNpmPath('-/npm/v1/attestations/left-pad@1.3.0'), { kind: 'attestations', name: 'left-pad', version: '1.3.0' });
    assert.deepEqual(parseNpmPath('-/npm/v1/attestations/@acme/ui-kit@1.4.0-rc.1'), { kind: 'attestations', name: '@acme/ui-kit', version: '1.4.0-rc.1' });
    assert.deepEqual(parseNpmPath('-/npm/v1/attestations/@acme%2Fui-kit@1.4.0'), { kind: 'attestations', name: '@acme/ui-kit', version: '1.4.0' });
    assert.deepEqual(parseNpmPath('-/npm/v1/attestations/left-pad'), { kind: 'unknown' });
  });

  it('reads revisions (npm unpublish and deprecate write to -rev)', () => {
    assert.deepEqual(parseNpmPath('left-pad/-rev/3-0123abcd'), { kind: 'revision', name: 'left-pad' });
    assert.deepEqual(parseNpmPath('@acme/ui-kit/-rev/12-deadbeef'), { kind: 'revision', name: '@acme/ui-kit' });
  });

  it('reads the tarball DELETE of npm unpublish', () => {
    assert.deepEqual(parseNpmPath('@acme/ui-kit/-/ui-kit-1.4.0.tgz/-rev/5-abc'), {
      kind: 'tarball-revision',
      name: '@acme/ui-kit',
      fileName: 'ui-kit-1.4.0.tgz',
    });
  });

  it('strips the registry path that npm unpublish repeats in the tarball DELETE', () => {
    // npm resolves new URL(dist.tarball).pathname against the registry URL, which repeats the registry's own path.
    assert.deepEqual(parseNpmPath('api/v4/projects/12/packages/npm/@acme/ui-kit/-/ui-kit-1.6.0.tgz/-rev/7-0f1e2d'), {
      kind: 'tarball-revision',
      name: '@acme/ui-kit',
      fileName: 'ui-kit-1.6.0.tgz',
    });
    assert.deepEqual(parseNpmPath('api/v4/projects/7/packages/npm/left-pad/-/left-pad-1.3.0.tgz/-rev/2-ff'), {
      kind: 'tarball-revision',
      name: 'left-pad',
      fileName: 'left-pad-1.3.0.tgz',
    });
    // Only a leading registry path is stripped; a package name "api" is still a package.
    assert.deepEqual(parseNpmPath('api'), { kind: 'packument', name: 'api' });
    assert.deepEqual(parseNpmPath('api/1.0.0'), { kind: 'version', name: 'api', spec: '1.0.0' });
  });

  it('reads dist-tags, all and one', () => {
    assert.deepEqual(parseNpmPath('-/package/left-pad/dist-tags'), { kind: 'dist-tags', name: 'left-pad', tag: null });
    assert.deepEqual(parseNpmPath('-/package/@acme/ui-kit/dist-tags'), { kind: 'dist-tags', name: '@acme/ui-kit', tag: null });
    assert.deepEqual(parseNpmPath('-/package/@acme/ui-kit/dist-tags/beta'), { kind: 'dist-tags', name: '@acme/ui-kit', tag: 'beta' });
    assert.deepEqual(parseNpmPath('-/package/left-pad/dist-tags/'), { kind: 'dist-tags', name: 'left-pad', tag: null });
    // A tag sent as a%2Fb arrives decoded; it must reach tag validation (400), not fall through to 404.
    assert.deepEqual(parseNpmPath('-/package/left-pad/dist-tags/a/b'), { kind: 'dist-tags', name: 'left-pad', tag: 'a/b' });
  });

  it('reads whoami', () => {
    assert.deepEqual(parseNpmPath('-/whoami'), { kind: 'whoami' });
  });

  it('answers unknown for anything else', () => {
    assert.deepEqual(parseNpmPath(''), { kind: 'unknown' });
    assert.deepEqual(parseNpmPath('-/v1/search'), { kind: 'unknown' });
    assert.deepEqual(parseNpmPath('-/npm/v1/security/advisories/bulk'), { kind: 'unknown' });
    assert.deepEqual(parseNpmPath('left-pad/-'), { kind: 'unknown' });
    assert.deepEqual(parseNpmPath('left-pad/-/a.tgz/extra'), { kind: 'unknown' });
    assert.deepEqual(parseNpmPath('left-pad/-/a.tgz/-rev/1/more'), { kind: 'unknown' });
  });
});
