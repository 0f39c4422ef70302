import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OCI_MANIFEST, sha256Digest } from '../support/oci-images.js';
import type { OciResponse } from '../support/oci-http.js';
import { deleteBlobs, deleteManifests, expectErrorCode, expectStatus, listedGap, startUpload, type Suite } from './oci-suite.js';

// Push (02_push_test.go): a streamed upload (one PATCH), monolithic uploads (POST ?digest and
// PUT), a chunked upload with Content-Range (out of order and retried chunks refused with 416),
// cross-repository mounts, and manifest PUT by tag and by digest; plus what the brief adds:
// a blob or manifest whose bytes do not match the digest is refused with DIGEST_INVALID.

const OCTETS = { 'content-type': 'application/octet-stream' };

export function pushChecks(suite: Suite): void {
  const { fx } = suite;
  const blobUrl = (digest: string, name = suite.name) => `/v2/${name}/blobs/${digest}`;
  const manifestUrl = (reference: string) => `/v2/${suite.name}/manifests/${reference}`;
  const request = (method: string, url: string, options?: Parameters<ReturnType<Suite['client']>['request']>[2]) => suite.client().request(method, url, options);

  describe('push: streamed blob upload', () => {
    let patched: OciResponse;
    it('PATCH of the whole blob is 202', async () => {
      patched = await request('PATCH', await startUpload(suite), { headers: OCTETS, body: fx.blobA.bytes });
      expectStatus(patched, 202);
      assert.ok(patched.location);
    });

    it('PUT to the session with the digest is 201 with a Location', async () => {
      const res = await request('PUT', patched.location!, { query: { digest: fx.blobA.digest }, headers: OCTETS });
      expectStatus(res, 201);
      assert.ok(res.location);
    });
  });

  describe('push: monolithic blob upload', () => {
    let single: OciResponse;
    it('GET of a nonexistent blob is 404', async () => {
      expectStatus(await request('GET', blobUrl(fx.dummyDigest)), 404);
    });

    it('POST with the digest and the blob is 201 or 202 with a Location', async () => {
      single = await request('POST', `/v2/${suite.name}/blobs/uploads/`, { query: { digest: fx.configs[1].digest }, headers: OCTETS, body: fx.configs[1].bytes });
      expectStatus(single, 201, 202);
      assert.ok(single.location);
    });

    it('GET of that blob is 200 if the POST stored it (201), 404 if it only opened a session (202)', async () => {
      expectStatus(await request('GET', blobUrl(fx.configs[1].digest)), single.status === 201 ? 200 : 404);
    });

    it('POST then PUT with the digest and the blob is 201 with a Location, and the blob is there', async () => {
      for (const blob of [fx.configs[1], fx.layer]) {
        const res = await request('PUT', await startUpload(suite), { query: { digest: blob.digest }, headers: OCTETS, body: blob.bytes });
        expectStatus(res, 201);
        assert.ok(res.location);
        const back = await request('GET', blobUrl(blob.digest));
        expectStatus(back, 200);
        assert.deepEqual(back.body, blob.bytes);
      }
    });

    it('PUT of bytes that do not match the digest is 400 DIGEST_INVALID, and nothing is stored under it', async () => {
      const claimed = sha256Digest('not the bytes that are sent');
      const res = await request('PUT', await startUpload(suite), { query: { digest: claimed }, headers: OCTETS, body: fx.blobA.bytes });
      expectStatus(res, 400);
      expectErrorCode(res, 'DIGEST_INVALID');
      expectStatus(await request('GET', blobUrl(claimed)), 404);
    });
  });

  describe('push: chunked blob upload', () => {
    const [first, second] = fx.chunks;
    const chunk = (c: typeof first) => ({ headers: { ...OCTETS, 'content-range': c.range }, body: c.bytes });
    let session: string;
    let afterFirst: string;

    it('PATCH of the second chunk first is 416', listedGap(suite, 'chunk-order'), async () => {
      expectStatus(await request('PATCH', await startUpload(suite), chunk(second)), 416);
    });

    it('PATCH of the first chunk is 202 with its Range', async () => {
      session = await startUpload(suite);
      const res = await request('PATCH', session, chunk(first));
      expectStatus(res, 202);
      assert.equal(res.headers.get('range'), first.range);
      afterFirst = res.location!;
    });

    it('PATCH of the first chunk again is 416', listedGap(suite, 'chunk-order'), async () => {
      expectStatus(await request('PATCH', session, chunk(first)), 416);
    });

    it('GET of the session as first given is 204 with the Range so far and a Location', listedGap(suite, 'chunk-order'), async () => {
      const res = await request('GET', session);
      expectStatus(res, 204);
      assert.equal(res.headers.get('range'), first.range);
      assert.ok(res.location);
    });

    it('GET of the session at its latest Location is 204 with the Range so far', async () => {
      const res = await request('GET', afterFirst);
      expectStatus(res, 204);
      assert.equal(res.headers.get('range'), first.range);
    });

    let afterSecond: string;
    it('PATCH of the second chunk is 202 with the Range of the whole blob', async () => {
      const res = await request('PATCH', afterFirst, chunk(second));
      expectStatus(res, 202);
      assert.equal(res.headers.get('range'), `0-${fx.blobB.bytes.length - 1}`);
      afterSecond = res.location!;
    });

    it('PUT with the digest and no body is 201, and the blob is both chunks', async () => {
      const res = await request('PUT', afterSecond, { query: { digest: fx.blobB.digest }, headers: { ...OCTETS, 'content-length': '0' } });
      expectStatus(res, 201);
      assert.ok(res.location);
      assert.deepEqual((await request('GET', blobUrl(fx.blobB.digest))).body, fx.blobB.bytes);
    });
  });

  describe('push: cross-repository blob mount', () => {
    let mounted: OciResponse;
    it('a mount without `from` opens an upload session (202)', async () => {
      const res = await request('POST', `/v2/${suite.crossmountName}/blobs/uploads/`, { query: { mount: fx.dummyDigest } });
      expectStatus(res, 202);
      assert.ok(res.location);
    });

    it("a mount of another repository's blob is 201 (mounted) or 202 (a session)", async () => {
      mounted = await request('POST', `/v2/${suite.crossmountName}/blobs/uploads/`, { query: { mount: fx.blobA.digest, from: suite.name } });
      expectStatus(mounted, 201, 202);
    });

    it('a mounted blob is at the Location in the other repository (201), or the session is there (202)', async () => {
      const location = new URL(mounted.location!).pathname;
      if (mounted.status === 202) return assert.ok(location.startsWith(`/v2/${suite.crossmountName}/blobs/uploads/`), location);
      assert.equal(location, blobUrl(fx.blobA.digest, suite.crossmountName));
      const res = await request('GET', location);
      expectStatus(res, 200);
      assert.deepEqual(res.body, fx.blobA.bytes);
    });
  });

  describe('push: manifests', () => {
    it('GET of a nonexistent manifest is 404', async () => {
      expectStatus(await request('GET', manifestUrl(fx.nonexistentManifest)), 404);
    });

    it('PUT of a manifest under four tags is 201 with a Location each time', async () => {
      for (const tag of ['test0', 'test1', 'test2', 'test3']) {
        const res = await suite.client().putManifest(suite.name, tag, fx.manifests[1].bytes, OCI_MANIFEST);
        expectStatus(res, 201);
        assert.ok(res.location);
      }
    });

    it('PUT of a manifest with no layers is 201', async () => {
      const res = await suite.client().putManifest(suite.name, 'emptylayer', fx.emptyLayerManifest.bytes, OCI_MANIFEST);
      expectStatus(res, 201);
      assert.ok(res.location);
    });

    it('PUT of a manifest by its digest is 201 with that digest', async () => {
      const res = await suite.client().putManifest(suite.name, fx.manifests[1].digest, fx.manifests[1].bytes, OCI_MANIFEST);
      expectStatus(res, 201);
      const digest = res.headers.get('docker-content-digest');
      if (digest) assert.equal(digest, fx.manifests[1].digest);
    });

    it('PUT of a manifest under a digest that is not its own is 400', async () => {
      const res = await suite.client().putManifest(suite.name, fx.manifests[0].digest, fx.manifests[1].bytes, OCI_MANIFEST);
      expectStatus(res, 400);
      expectErrorCode(res);
    });

    it('GET of the manifest by digest is 200 with its exact bytes', async () => {
      const res = await request('GET', manifestUrl(fx.manifests[1].digest), { headers: { accept: OCI_MANIFEST } });
      expectStatus(res, 200);
      assert.deepEqual(res.body, fx.manifests[1].bytes);
    });

    it('teardown: deletes the manifests and blobs', async () => {
      await deleteManifests(suite, [fx.manifests[1].digest, fx.emptyLayerManifest.digest]);
      await deleteBlobs(suite, [fx.configs[1].digest, fx.layer.digest, fx.blobA.digest, fx.blobB.digest]);
    });
  });
}
