import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Api } from '../support/api.js';
import { latestEvent } from '../support/audit.js';
import { fastBlobGc } from '../support/background-jobs.js';
import { startOidcIssuer, type OidcIssuer } from '../support/oidc-issuer.js';
import { assertOnlyFileBlobsStored, storedBlobs, storeSnapshot as snapshotOf } from '../support/stored-blobs.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';
import { FORMATS } from '../../src/formats/index.js';
import type { DriverContext, FormatDriver, SentFile } from './format-driver.js';

// One suite, every format (STYLE habit 5): whatever the protocol, a publish is audited with the
// right actor/via/client, a second file is audited, a delete through the packages API is audited,
// downloads are byte-identical, hostile names are refused with the store unchanged, a read-only
// deploy token cannot publish, a protection rule refuses the format's own publish path, a CI job
// publishes with the token its OIDC ID token is exchanged for (trusted publishing), a legal hold
// keeps a version from being deleted, and a deleted version is restored to the format's client.

/** Every format in the list, with the driver in its folder (src/formats/<name>/<name>.conformance.ts). */
const DRIVERS = await Promise.all(
  FORMATS.map(async (format) => {
    const { conformanceDriver } = (await import(`../../src/formats/${format.name}/${format.name}.conformance.js`)) as { conformanceDriver: FormatDriver };
    return { format, driver: conformanceDriver };
  }),
);

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

// TROVE_CONFORMANCE_FORMAT=<name> runs one format's suite (while building a format).
const only = process.env.TROVE_CONFORMANCE_FORMAT;

for (const { format, driver } of DRIVERS.filter((d) => !only || d.format.name === only)) {
  describe(`format conformance: ${driver.format}`, () => {
    let trove: RunningTrove;
    let world: World;
    let ctx: DriverContext;
    let publisher: TestUser;
    let maintainer: TestUser;
    let readOnly: { id: number; token: string };
    let groupId: number;
    const events = () => `/api/v4/groups/${groupId}/audit_events`;
    const name = driver.newName();
    const version = driver.version ?? '1.0.0';
    let published: SentFile[] = [];
    let packageId: number;

    let issuer: OidcIssuer;
    let trustedPublisherId: number;
    /** What refusals must leave untouched (bytes a refused upload stored are checked after the delete below). */
    const storeSnapshot = (api: Api) => snapshotOf(api, ctx.projectId);

    before(async () => {
      // A day's restore window, so that the restore below never races the purge job; the delete at
      // the end purges on request.
      trove = await startTrove({ env: { ...fastBlobGc(), TROVE_RESTORE_SECONDS: '86400', TROVE_OIDC_ALLOW_INSECURE_ISSUERS: '1' } });
      world = new World(trove);
      issuer = await startOidcIssuer();
      const group = await world.group(`conf-${driver.format}`);
      groupId = group.id;
      const project = await world.project('app', group.id);
      trustedPublisherId = (
        await world.root.expect(201, 'POST', `/api/v4/projects/${project.id}/packages/trusted_publishers`, {
          issuer: issuer.url,
          audience: trove.baseUrl,
          claims: { project_path: `ci/${driver.format}-release` },
        })
      ).id;
      ctx = { trove, projectId: project.id };
      publisher = await world.user(`pub-${driver.format}`, ['api'], 'publisher-laptop');
      maintainer = await world.user(`maint-${driver.format}`, ['api'], 'maintainer-token');
      await world.addMember('groups', group.id, publisher, 30);
      await world.addMember('groups', group.id, maintainer, 40);
      readOnly = await world.deployToken('projects', project.id, 'read-only-bot', ['read_package_registry']);
    });

    after(async () => {
      await trove?.stop();
      await issuer?.close();
    });

    it('audits a publish through the real client with actor, via, client and file digests', async () => {
      const { outcome, files } = await driver.publish(ctx, publisher.token, name, version);
      assert.equal(outcome.code, 0, outcome.output);
      published = files;
      const event = await latestEvent(world.root, events(), 'package_registry_package_published');
      assert.equal(event.outcome, 'success');
      assert.equal(event.package.format, driver.format);
      assert.equal(event.package.version, version);
      assert.deepEqual(
        { type: event.actor.type, user: event.actor.user_id, token: event.actor.token_name },
        { type: 'personal_access_token', user: publisher.id, token: 'publisher-laptop' },
      );
      assert.equal(event.via, driver.via);
      assert.equal(event.client?.name, driver.clientName);
      assert.deepEqual(
        event.package.files.map((f: { file_name: string; sha256: string; size: number }) => [f.file_name, f.sha256, f.size]),
        files.map((f) => [f.fileName, sha256(f.bytes), f.bytes.length]),
      );
      packageId = event.package.id;
    });

    it('audits a second file added to the version', { skip: driver.addFile ? false : `${driver.format} has one file per version` }, async () => {
      const { outcome, file } = await driver.addFile!(ctx, publisher.token, name, version);
      assert.equal(outcome.code, 0, outcome.output);
      published.push(file);
      const event = await latestEvent(world.root, events(), 'package_registry_package_file_added');
      assert.equal(event.package.id, packageId);
      assert.deepEqual(event.package.files, [{ file_name: file.fileName, size: file.bytes.length, sha256: sha256(file.bytes) }]);
      assert.equal(event.actor.token_name, 'publisher-laptop');
      assert.equal(event.client?.name, driver.clientName);
    });

    it('downloads byte-identical files through the real client', async () => {
      assert.ok(published.length > 0);
      for (const file of published) {
        const bytes = await driver.download(ctx, readOnly.token, name, version, file);
        assert.equal(sha256(bytes), sha256(file.bytes), file.fileName);
      }
    });

    it('refuses a publish with a read-only deploy token (403) and audits publish_denied', async () => {
      const before = await storeSnapshot(world.root);
      const { outcome } = await driver.publish(ctx, readOnly.token, driver.newName(), version);
      assert.notEqual(outcome.code, 0, 'the client must report the refusal');
      assert.match(outcome.output, /403|Forbidden/i);
      const event = await latestEvent(world.root, events(), 'package_registry_package_publish_denied');
      assert.equal(event.outcome, 'failure');
      assert.equal(event.actor.type, 'deploy_token');
      assert.equal(event.actor.token_name, 'read-only-bot');
      assert.deepEqual(await storeSnapshot(world.root), before);
    });

    it('is the driver of its format, whose own rules refuse every hostile name the driver sends', () => {
      assert.equal(driver.format, format.name);
      for (const badName of driver.badNames) assert.throws(() => format.names.assertName(badName), badName);
      for (const badFileName of driver.badFileNames) assert.throws(() => format.names.assertFileName(badFileName), badFileName);
    });

    for (const badName of driver.badNames) {
      it(`refuses the package name ${JSON.stringify(badName)} with the store unchanged`, async () => {
        const before = await storeSnapshot(world.root);
        const total = Number((await world.root.get(`${events()}?per_page=1`)).headers.get('x-total'));
        const status = await driver.publishRaw(ctx, publisher.token, badName, version);
        assert.ok(status >= 400 && status < 500, `status ${status}`);
        assert.deepEqual(await storeSnapshot(world.root), before);
        const denied = await world.root.get(`${events()}?per_page=1`);
        assert.equal(Number(denied.headers.get('x-total')), total + 1, 'exactly one new event');
        assert.equal(denied.body[0].event_name, 'package_registry_package_publish_denied');
        assert.equal(denied.body[0].actor.token_name, 'publisher-laptop');
      });
    }

    for (const badFileName of driver.badFileNames) {
      it(`refuses the file name ${JSON.stringify(badFileName)} with the store unchanged`, async () => {
        const before = await storeSnapshot(world.root);
        const status = await driver.publishRaw(ctx, publisher.token, driver.newName(), version, badFileName);
        assert.ok(status >= 400 && status < 500, `status ${status}`);
        assert.deepEqual(await storeSnapshot(world.root), before);
        const event = await latestEvent(world.root, events(), 'package_registry_package_publish_denied');
        assert.equal(event.actor.token_name, 'publisher-laptop');
      });
    }

    it('refuses a publish through the real client where a protection rule names the package, with the store unchanged', async () => {
      const protectedName = driver.newName();
      const rule = await maintainer.api.expect(201, 'POST', `/api/v4/projects/${ctx.projectId}/packages/protection/rules`, {
        package_name_pattern: protectedName,
        package_type: driver.format,
        minimum_access_level_for_push: 'maintainer',
      });
      try {
        const before = await storeSnapshot(world.root);
        const { outcome } = await driver.publish(ctx, publisher.token, protectedName, version);
        assert.notEqual(outcome.code, 0, 'the client must report the refusal');
        assert.deepEqual(await storeSnapshot(world.root), before);
        const event = await latestEvent(world.root, events(), 'package_registry_package_publish_denied');
        assert.equal(event.actor.token_name, 'publisher-laptop');
        assert.match(JSON.stringify(event.details), new RegExp(`protection rule ${rule.id}`));
      } finally {
        await maintainer.api.expect(204, 'DELETE', `/api/v4/projects/${ctx.projectId}/packages/protection/rules/${rule.id}`);
      }
    });

    it('publishes through the real client with the token a CI job\'s OIDC ID token is exchanged for, audited with the pipeline', async () => {
      const claims = issuer.gitlabClaims({ project_path: `ci/${driver.format}-release`, pipeline_id: '7007' });
      const exchanged = await new Api(trove.baseUrl).expect(200, 'POST', '/api/v4/oidc/token', { id_token: await issuer.mint(claims, { audience: trove.baseUrl }) });
      const pipelineName = driver.newName();
      const { outcome } = await driver.publish(ctx, exchanged.token, pipelineName, version);
      assert.equal(outcome.code, 0, outcome.output);
      const event = await latestEvent(world.root, events(), 'package_registry_package_published');
      assert.deepEqual(
        [event.package.name, event.actor.type, event.actor.trusted_publisher_id, event.via, event.pipeline?.id, event.client?.name],
        [pipelineName, 'oidc', trustedPublisherId, 'pipeline', 7007, driver.clientName],
      );
    });

    it('keeps a version under legal hold from being deleted, until the hold is released', async () => {
      await world.root.expect(200, 'PUT', `/api/v4/projects/${ctx.projectId}/packages/${packageId}/legal_hold`, { reason: 'Conformance', reference: driver.format });
      assert.equal((await maintainer.api.delete(`/api/v4/projects/${ctx.projectId}/packages/${packageId}`)).status, 403);
      assert.equal((await world.root.get(`/api/v4/projects/${ctx.projectId}/packages/${packageId}`)).status, 200);
      assert.equal((await world.root.delete(`/api/v4/projects/${ctx.projectId}/packages/${packageId}/legal_hold`)).status, 204);
    });

    it('restores a deleted version: the client cannot download it, then gets the same bytes again', async () => {
      await maintainer.api.expect(204, 'DELETE', `/api/v4/projects/${ctx.projectId}/packages/${packageId}`);
      await assert.rejects(driver.download(ctx, maintainer.token, name, version, published[0]));
      await maintainer.api.expect(201, 'POST', `/api/v4/projects/${ctx.projectId}/packages/${packageId}/restore`);
      const event = await latestEvent(world.root, events(), 'package_registry_package_restored');
      assert.deepEqual([event.package.id, event.actor.token_name], [packageId, 'maintainer-token']);
      assert.deepEqual(await driver.download(ctx, maintainer.token, name, version, published[0]), published[0].bytes);
    });

    it('audits a delete through the packages API and a purge on request, after which the collector removes the files', async () => {
      const res = await maintainer.api.delete(`/api/v4/projects/${ctx.projectId}/packages/${packageId}`);
      assert.equal(res.status, 204, res.text);
      const event = await latestEvent(world.root, events(), 'package_registry_package_deleted');
      assert.equal(event.package.id, packageId);
      assert.equal(event.actor.token_name, 'maintainer-token');
      assert.equal(event.via, 'api');
      assert.deepEqual(
        [...event.package.files.map((f: { sha256: string }) => f.sha256)].sort(),
        published.map((f) => sha256(f.bytes)).sort(),
      );
      await world.root.expect(204, 'POST', `/api/v4/projects/${ctx.projectId}/packages/${packageId}/purge`, { reason: 'conformance' });
      const purged = await latestEvent(world.root, events(), 'package_registry_package_purged');
      assert.deepEqual([purged.package.id, purged.actor.type], [packageId, 'personal_access_token']);
      await assertOnlyFileBlobsStored(trove, world.root, [ctx.projectId]);
      const remaining = await storedBlobs(trove);
      for (const file of published) assert.ok(!remaining.includes(sha256(file.bytes)), `blob of ${file.fileName} removed`);
      await assert.rejects(driver.download(ctx, maintainer.token, name, version, published[0]));
    });
  });
}
