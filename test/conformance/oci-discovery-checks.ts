import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OCI_INDEX, OCI_MANIFEST, type Descriptor } from '../support/oci-images.js';
import type { OciResponse } from '../support/oci-http.js';
import { ANNOTATION, ARTIFACT_TYPE_A } from './oci-fixtures.js';
import { deleteBlobs, deleteManifests, expectStatus, knownGap, listedGap, populateBlob, populateManifest, tagsOf, type Suite } from './oci-suite.js';

// Content discovery (03_discovery_test.go): the tag list (sorted; `n`, `last` and the Link header
// of the next page) and the referrers API (an image index of the manifests whose subject is a
// digest, with their annotations, filterable by artifactType; empty for an unknown digest).

const TAGS_GAP = 'distribution 2.8.2 ignores `n` and `last` on tags/list (only _catalog paginates)';
const REFERRERS_GAP = 'distribution 2.8.2 has no referrers API and sends no OCI-Subject';

export function discoveryChecks(suite: Suite): void {
  const { fx } = suite;
  const tagsUrl = `/v2/${suite.name}/tags/list`;
  const referrersUrl = (digest: string) => `/v2/${suite.name}/referrers/${digest}`;
  const get = (url: string, query?: Record<string, string>) => suite.client().request('GET', url, { query });
  const referrers = (res: OciResponse): Descriptor[] => {
    expectStatus(res, 200);
    assert.equal(res.headers.get('content-type'), OCI_INDEX);
    return (res.json as { manifests: Descriptor[] }).manifests;
  };
  let tags: string[] = [];
  /** The answers to the PUTs of manifests with a subject, and the subject's digest. */
  const subjectPuts: { res: OciResponse; subject: string }[] = [];

  describe('content discovery', () => {
    it('setup: a manifest under tags test0-3 and TEST0-3', async () => {
      for (const blob of [fx.configs[2], fx.layer]) await populateBlob(suite, blob);
      for (let i = 0; i < 4; i++) for (const tag of [`test${i}`, `TEST${i}`]) await populateManifest(suite, tag, fx.manifests[2], OCI_MANIFEST);
    });

    it('setup: referrers of manifest[4] (three before it is pushed, two after) and one of manifest[3], never pushed', async () => {
      for (const blob of [fx.emptyJson, fx.refBlobA]) await populateBlob(suite, blob);
      const put = async (doc: { bytes: Buffer; digest: string }, mediaType: string, subject: string) =>
        subjectPuts.push({ res: await populateManifest(suite, doc.digest, doc, mediaType), subject });
      await put(fx.refs.aConfig, OCI_MANIFEST, fx.manifests[4].digest);
      await put(fx.refs.aLayer, OCI_MANIFEST, fx.manifests[4].digest);
      await put(fx.refsIndex, OCI_INDEX, fx.manifests[4].digest);
      for (const blob of [fx.configs[4], fx.layer]) await populateBlob(suite, blob);
      await populateManifest(suite, 'tagtest0', fx.manifests[4], OCI_MANIFEST);
      await populateBlob(suite, fx.refBlobB);
      await put(fx.refs.bConfig, OCI_MANIFEST, fx.manifests[4].digest);
      await put(fx.refs.bLayer, OCI_MANIFEST, fx.manifests[4].digest);
      await put(fx.refs.cLayer, OCI_MANIFEST, fx.manifests[3].digest);
    });

    it('a manifest PUT with a subject answers OCI-Subject with the subject digest', knownGap(suite.target.supportsReferrers, REFERRERS_GAP), () => {
      assert.equal(subjectPuts.length, 6);
      for (const { res, subject } of subjectPuts) assert.equal(res.headers.get('oci-subject'), subject);
    });

    it('GET of the tag list is 200, sorted lexically or asciibetically', listedGap(suite, 'tag-order'), async () => {
      tags = tagsOf(await get(tagsUrl));
      for (const tag of ['tagtest0', 'test0', 'TEST3']) assert.ok(tags.includes(tag), `${tag} in ${tags.join(',')}`);
      const ascii = [...tags].sort();
      const lexical = [...tags].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0));
      assert.ok(JSON.stringify(tags) === JSON.stringify(ascii) || JSON.stringify(tags) === JSON.stringify(lexical), tags.join(','));
    });

    it('`n` limits the number of tags, and a Link header names the next page', knownGap(suite.target.paginatesTags, TAGS_GAP), async () => {
      const n = Math.floor(tags.length / 2);
      const res = await get(tagsUrl, { n: String(n) });
      assert.equal(tagsOf(res).length, n);
      const link = res.headers.get('link');
      assert.match(link ?? '', /^<[^>]*\/v2\/[^>]*tags\/list\?[^>]*>;\s*rel="next"$/);
    });

    it('`last` starts the list after that tag', knownGap(suite.target.paginatesTags, TAGS_GAP), async () => {
      const n = Math.floor(tags.length / 2);
      const page = tagsOf(await get(tagsUrl, { n: String(n) }));
      const last = page[n - 1];
      const next = tagsOf(await get(tagsUrl, { n: String(n), last }));
      assert.ok(!next.includes(last), `${last} in ${next.join(',')}`);
      assert.deepEqual([...page, ...next], tags.slice(0, page.length + next.length));
    });

    it('referrers of an unknown digest: 200 with an empty image index', knownGap(suite.target.supportsReferrers, REFERRERS_GAP), async () => {
      assert.equal(referrers(await get(referrersUrl(fx.dummyDigest))).length, 0);
    });

    it('referrers of manifest[4]: all five, each with its annotation', knownGap(suite.target.supportsReferrers, REFERRERS_GAP), async () => {
      const found = referrers(await get(referrersUrl(fx.manifests[4].digest)));
      assert.deepEqual(found.map((d) => d.digest).sort(), Object.keys(fx.annotations).sort());
      for (const d of found) assert.deepEqual(d.annotations, { [ANNOTATION]: fx.annotations[d.digest] });
    });

    it('referrers filtered by artifactType: the two of that type (OCI-Filters-Applied), or all five', knownGap(suite.target.supportsReferrers, REFERRERS_GAP), async () => {
      const res = await get(referrersUrl(fx.manifests[4].digest), { artifactType: ARTIFACT_TYPE_A });
      const found = referrers(res);
      if (res.headers.get('oci-filters-applied')) {
        assert.equal(res.headers.get('oci-filters-applied'), 'artifactType');
        assert.deepEqual(found.map((d) => d.digest).sort(), [fx.refs.aConfig.digest, fx.refs.aLayer.digest].sort());
      } else {
        assert.equal(found.length, 5);
      }
    });

    it('referrers of manifest[3], which was never pushed: its one referrer', knownGap(suite.target.supportsReferrers, REFERRERS_GAP), async () => {
      assert.deepEqual(referrers(await get(referrersUrl(fx.manifests[3].digest))).map((d) => d.digest), [fx.refs.cLayer.digest]);
    });

    it('teardown: deletes the manifests, the referrers and the blobs', async () => {
      const { refs } = fx;
      await deleteManifests(suite, [fx.refsIndex.digest, fx.manifests[2].digest, fx.manifests[4].digest, refs.aConfig.digest, refs.aLayer.digest, refs.bConfig.digest, refs.bLayer.digest, refs.cLayer.digest]);
      await deleteBlobs(suite, [fx.configs[2].digest, fx.configs[4].digest, fx.layer.digest, fx.refBlobA.digest, fx.refBlobB.digest, fx.emptyJson.digest]);
    });
  });
}
