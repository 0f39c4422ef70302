import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OCI_MANIFEST } from '../support/oci-images.js';
import { deleteBlobs, deleteManifests, expectErrorCode, expectStatus, listedGap, populateBlob, populateManifest, type Suite } from './oci-suite.js';

// Pull (01_pull_test.go): blobs and manifests by digest and tag, GET and HEAD, 404 for what is not
// there, and an OCI error body for a malformed reference.

export function pullChecks(suite: Suite): void {
  const { fx } = suite;
  const tag = 'tagtest0';
  const blobUrl = (digest: string) => `/v2/${suite.name}/blobs/${digest}`;
  const manifestUrl = (reference: string) => `/v2/${suite.name}/manifests/${reference}`;
  const accept = { accept: OCI_MANIFEST };
  const get = (url: string, headers: Record<string, string> = {}) => suite.client().request('GET', url, { headers });
  const head = (url: string, headers: Record<string, string> = {}) => suite.client().request('HEAD', url, { headers });

  describe('pull', () => {
    it('setup: populates two configs, the layer, manifest[0] by tag and manifest[1] by digest', async () => {
      for (const blob of [fx.configs[0], fx.configs[1], fx.layer]) await populateBlob(suite, blob);
      await populateManifest(suite, tag, fx.manifests[0], OCI_MANIFEST);
      await populateManifest(suite, fx.manifests[1].digest, fx.manifests[1], OCI_MANIFEST);
    });

    it('HEAD of a nonexistent blob is 404', async () => {
      expectStatus(await head(blobUrl(fx.dummyDigest)), 404);
    });

    it('HEAD of an existing blob is 200 with its digest', async () => {
      const res = await head(blobUrl(fx.configs[0].digest));
      expectStatus(res, 200);
      const digest = res.headers.get('docker-content-digest');
      if (digest) assert.equal(digest, fx.configs[0].digest);
    });

    it('GET of a nonexistent blob is 404 BLOB_UNKNOWN', async () => {
      const res = await get(blobUrl(fx.dummyDigest));
      expectStatus(res, 404);
      expectErrorCode(res, 'BLOB_UNKNOWN');
    });

    it('GET of an existing blob is 200 with its bytes', async () => {
      const res = await get(blobUrl(fx.configs[0].digest));
      expectStatus(res, 200);
      assert.deepEqual(res.body, fx.configs[0].bytes);
    });

    it('HEAD of a nonexistent manifest is 404', async () => {
      expectStatus(await head(manifestUrl(fx.nonexistentManifest)), 404);
    });

    for (const [label, index, reference] of [
      ['manifest[0] by digest', 0, () => fx.manifests[0].digest],
      ['manifest[1] by digest', 1, () => fx.manifests[1].digest],
      ['the manifest by tag', 0, () => tag],
    ] as const) {
      it(`HEAD of ${label} is 200 with its digest`, async () => {
        const res = await head(manifestUrl(reference()), accept);
        expectStatus(res, 200);
        const digest = res.headers.get('docker-content-digest');
        if (digest) assert.equal(digest, fx.manifests[index].digest);
      });

      it(`GET of ${label} is 200 with its exact bytes`, async () => {
        const res = await get(manifestUrl(reference()), accept);
        expectStatus(res, 200);
        assert.deepEqual(res.body, fx.manifests[index].bytes);
      });
    }

    it('GET of a nonexistent manifest is 404', async () => {
      expectStatus(await get(manifestUrl(fx.nonexistentManifest)), 404);
    });

    it('GET of an unknown tag is 404 MANIFEST_UNKNOWN', async () => {
      const res = await get(manifestUrl('no-such-tag'), accept);
      expectStatus(res, 404);
      expectErrorCode(res, 'MANIFEST_UNKNOWN');
    });

    it('GET of a malformed digest is 400 with an OCI error, or 404', listedGap(suite, 'malformed-digest'), async () => {
      const res = await get(manifestUrl('sha256:totallywrong'), accept);
      expectStatus(res, 400, 404);
      if (res.status === 400) expectErrorCode(res);
    });

    it('teardown: deletes the manifests and blobs', async () => {
      await deleteManifests(suite, [fx.manifests[0].digest, fx.manifests[1].digest]);
      await deleteBlobs(suite, [fx.configs[0].digest, fx.configs[1].digest, fx.layer.digest]);
    });
  });
}
