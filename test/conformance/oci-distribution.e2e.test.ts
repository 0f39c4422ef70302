import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildImage, buildMultiPlatformIndex, Skopeo } from '../support/oci-images.js';
import { OciClient } from '../support/oci-http.js';
import { tempDir } from '../support/temp-dir.js';
import { discoveryChecks } from './oci-discovery-checks.js';
import { conformanceFixtures } from './oci-fixtures.js';
import { managementChecks } from './oci-management-checks.js';
import { pullChecks } from './oci-pull-checks.js';
import { pushChecks } from './oci-push-checks.js';
import type { Suite } from './oci-suite.js';
import { CROSSMOUNT_REPOSITORY, OCI_TARGETS, REPOSITORY, type RunningTarget } from './oci-targets.js';

// The checks of the OCI distribution-spec conformance suite (pull, push, content discovery,
// content management), ported to node:test over plain HTTP, run against every target of
// oci-targets.ts: the reference registry (Debian's docker-registry) wherever it is installed, and
// Trove's /v2/. Then the real clients on the same registry:
// images built offline with umoci, pushed, listed, pulled back and deleted with skopeo.

for (const target of OCI_TARGETS) {
  describe(`OCI distribution conformance: ${target.name}`, { skip: target.skip }, () => {
    let running: RunningTarget | undefined;
    let client: OciClient | undefined;
    const suite: Suite = {
      target,
      client: () => client ?? assert.fail(`${target.name} did not start`),
      fx: conformanceFixtures(randomBytes(8).toString('hex')),
      name: REPOSITORY,
      crossmountName: CROSSMOUNT_REPOSITORY,
    };

    before(async () => {
      running = await target.start();
      client = new OciClient(running.baseUrl, running.authHeader);
    });

    after(async () => {
      await running?.stop();
    });

    it('GET /v2/ is 200', async () => {
      assert.equal((await suite.client().request('GET', '/v2/')).status, 200);
    });

    pullChecks(suite);
    pushChecks(suite);
    discoveryChecks(suite);
    managementChecks(suite);

    describe('real clients: umoci images through skopeo', () => {
      const layout = join(tempDir('trove-oci-images-'), 'images');
      const host = () => new URL(running!.baseUrl).host;
      const repository = `${REPOSITORY}-skopeo`;

      it('pushes a 3-layer image and pulls it back with the same manifest and layer digests', async () => {
        const built = await buildImage(layout, 'three', { layers: [2048, 4096, 1024], seed: 'three-layers' });
        const skopeo = Skopeo.create(running!.credentials);
        assert.equal(await skopeo.push(layout, 'three', host(), `${repository}:1.0`), built.digest);
        const back = await skopeo.pull(host(), `${repository}:1.0`, join(layout, '..', 'pulled'), 'three');
        assert.equal(back.digest, built.digest);
        assert.deepEqual(back.layers, built.layers);
        assert.deepEqual(await skopeo.listTags(host(), repository), ['1.0']);
      });

      it('pushes a multi-platform index with both images and pulls it back whole', async () => {
        const platforms = [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }];
        const built = await buildMultiPlatformIndex(layout, 'multi', { layers: [1024], seed: 'multi' }, platforms);
        const skopeo = Skopeo.create(running!.credentials);
        assert.equal(await skopeo.push(layout, 'multi', host(), `${repository}:multi`, { all: true }), built.digest);
        const back = await skopeo.pull(host(), `${repository}:multi`, join(layout, '..', 'pulled'), 'multi', { all: true });
        assert.equal(back.digest, built.digest);
        assert.deepEqual(back.manifests.map((m) => [m.digest, m.platform]), built.manifests.map((m) => [m.digest, m.platform]));
      });

      it('deletes an image by tag with skopeo: the other tag remains', async () => {
        const skopeo = Skopeo.create(running!.credentials);
        await skopeo.delete(host(), `${repository}:1.0`);
        assert.deepEqual(await skopeo.listTags(host(), repository), ['multi']);
      });
    });
  });
}
