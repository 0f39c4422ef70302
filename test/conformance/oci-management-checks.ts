import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OCI_MANIFEST } from '../support/oci-images.js';
import { expectErrorCode, expectStatus, listedGap, populateBlob, populateManifest, tagsOf, type Suite } from './oci-suite.js';

// Content management (04_management_test.go): deleting a tag, a manifest (its tags go with it) and
// blobs. Both targets enable deletes, so a deleted manifest must be gone (the suite also accepts a
// registry that refuses deletes).

export function managementChecks(suite: Suite): void {
  const { fx } = suite;
  const tag = 'tagtest0';
  const manifestUrl = (reference: string) => `/v2/${suite.name}/manifests/${reference}`;
  const request = (method: string, url: string) => suite.client().request(method, url);
  let tagsBefore = 0;
  let blobDeleteAllowed = true;

  describe('content management', () => {
    it('setup: a manifest under one tag', async () => {
      for (const blob of [fx.configs[3], fx.layer]) await populateBlob(suite, blob);
      await populateManifest(suite, tag, fx.manifests[3], OCI_MANIFEST);
      tagsBefore = tagsOf(await request('GET', `/v2/${suite.name}/tags/list`)).length;
    });

    it('DELETE of the tag is 202, or 400 UNSUPPORTED / 405 where tags cannot be deleted', listedGap(suite, 'tag-delete'), async () => {
      const res = await request('DELETE', manifestUrl(tag));
      expectStatus(res, 202, 400, 405);
      if (res.status === 400) expectErrorCode(res, 'UNSUPPORTED');
    });

    it('DELETE of the manifest by digest is 202, or 404 if the tag delete took it', async () => {
      expectStatus(await request('DELETE', manifestUrl(fx.manifests[3].digest)), 202, 404);
    });

    it('GET of the deleted manifest is 404', async () => {
      expectStatus(await request('GET', manifestUrl(fx.manifests[3].digest)), 404);
    });

    it('the tag list no longer has the tag (or the repository is gone when it was the last)', async () => {
      const res = await request('GET', `/v2/${suite.name}/tags/list`);
      expectStatus(res, 200, 404);
      if (res.status === 404) return assert.equal(tagsBefore - 1, 0);
      const tags = tagsOf(res);
      assert.equal(tags.length, tagsBefore - 1);
      assert.ok(!tags.includes(tag));
    });

    it('DELETE of the blobs is 202 (404 if already collected, 405 where blob deletes are off)', async () => {
      for (const blob of [fx.configs[3], fx.layer]) {
        const res = await request('DELETE', `/v2/${suite.name}/blobs/${blob.digest}`);
        expectStatus(res, 202, 404, 405);
        if (res.status === 405) blobDeleteAllowed = false;
      }
    });

    it('GET of a deleted blob is 404', async (t) => {
      if (!blobDeleteAllowed) return t.skip('this registry does not delete blobs (405)');
      expectStatus(await request('GET', `/v2/${suite.name}/blobs/${fx.configs[3].digest}`), 404);
    });
  });
}
