import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TroveError } from '../core/errors.js';
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST, accepts, parseManifest } from './manifests.js';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const descriptor = (c: string, mediaType = 'application/vnd.oci.image.layer.v1.tar+gzip') => ({ mediaType, digest: digest(c), size: 10 });
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

function codeOf(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    assert.ok(error instanceof TroveError);
    return error.code;
  }
  return 'no error';
}

describe('container manifests', () => {
  it('reads an image manifest: its blobs, subject and artifact type (the config type when none is given)', () => {
    const config = descriptor('c', 'application/vnd.oci.image.config.v1+json');
    const parsed = parseManifest(json({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [descriptor('a'), descriptor('a'), descriptor('b')], subject: descriptor('d') }), OCI_MANIFEST);
    assert.deepEqual(parsed.blobs, [digest('c'), digest('a'), digest('b')]);
    assert.equal(parsed.subjectDigest, digest('d'));
    assert.equal(parsed.artifactType, 'application/vnd.oci.image.config.v1+json');
    assert.equal(parsed.configDigest, digest('c'));
  });

  it('reads an index or manifest list: children and their platforms', () => {
    const child = { ...descriptor('e', OCI_MANIFEST), platform: { architecture: 'arm64', os: 'linux' } };
    for (const mediaType of [OCI_INDEX, DOCKER_MANIFEST_LIST]) {
      const parsed = parseManifest(json({ schemaVersion: 2, mediaType, manifests: [child] }), mediaType);
      assert.deepEqual(parsed.children, [digest('e')]);
      assert.deepEqual(parsed.platforms, [{ architecture: 'arm64', os: 'linux' }]);
      assert.deepEqual(parsed.blobs, []);
    }
  });

  it('takes the media type from the document when the request has no Content-Type', () => {
    const doc = { schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: descriptor('c'), layers: [] };
    assert.equal(parseManifest(json(doc), undefined).mediaType, DOCKER_MANIFEST);
  });

  it('refuses what is not a manifest it stores', () => {
    const good = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: descriptor('c'), layers: [] };
    assert.equal(codeOf(() => parseManifest(Buffer.from('{'), OCI_MANIFEST)), 'MANIFEST_INVALID');
    assert.equal(codeOf(() => parseManifest(json({ ...good, schemaVersion: 1 }), OCI_MANIFEST)), 'MANIFEST_INVALID');
    assert.equal(codeOf(() => parseManifest(json(good), 'application/json')), 'MANIFEST_INVALID');
    assert.equal(codeOf(() => parseManifest(json(good), DOCKER_MANIFEST)), 'MANIFEST_INVALID');
    assert.equal(codeOf(() => parseManifest(json({ ...good, layers: [{ digest: 'not a digest', size: 1 }] }), OCI_MANIFEST)), 'MANIFEST_INVALID');
    assert.equal(codeOf(() => parseManifest(json({ ...good, layers: [{ digest: `sha512:${'a'.repeat(128)}`, size: 1 }] }), OCI_MANIFEST)), 'DIGEST_INVALID');
    assert.equal(codeOf(() => parseManifest(json({ ...good, annotations: { a: 1 } }), OCI_MANIFEST)), 'MANIFEST_INVALID');
  });

  it('matches a media type anywhere in an Accept list, wildcards and parameters included', () => {
    assert.equal(accepts(undefined, OCI_MANIFEST), true);
    assert.equal(accepts(`${DOCKER_MANIFEST}, ${OCI_MANIFEST}; q=0.5`, OCI_MANIFEST), true);
    assert.equal(accepts('*/*', OCI_INDEX), true);
    assert.equal(accepts(DOCKER_MANIFEST, OCI_MANIFEST), false);
  });
});
