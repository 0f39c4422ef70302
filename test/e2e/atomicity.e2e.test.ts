import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ApiResponse } from '../support/api.js';
import { eventCount } from '../support/audit.js';
import { openFaultInjector, type Fault, type FaultInjector } from '../support/fault-injection.js';
import { blobsCollected, fastBlobGc } from '../support/background-jobs.js';
import { blobStored } from '../support/stored-blobs.js';
import { packageTarball, publishBody } from '../support/npm-publish-body.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// docs/architecture.md#the-one-write-path: a package write and its audit event commit together or not at all. Failures are
// forced INSIDE the server's transaction with triggers created, from this process, in the real
// database of the running server (test/support/fault-injection.ts: its SQLite file, or its
// PostgreSQL database on the PostgreSQL run). A write that fails there
// is a server error: 500 with npm's {"error"} body and no SQL detail, nothing stored, no event
// (a 5xx is not a refusal, so no publish_denied either) and no orphan blob.

describe('atomicity of package writes and their audit events', () => {
  let trove: RunningTrove;
  let world: World;
  let db: FaultInjector;
  let project: { id: number };
  let maintainer: TestUser;

  const npm = (rest: string) => `/api/v4/projects/${project.id}/packages/npm/${rest}`;
  const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
  const stored = (sha: string) => blobStored(trove, sha);
  const tmpFiles = () => {
    const tmp = join(trove.dataDir, 'blobs', 'tmp');
    return existsSync(tmp) ? readdirSync(tmp) : [];
  };
  const dbEvents = (name: string, eventName?: string) =>
    db.countRows('audit_events', { package_name: name, ...(eventName ? { event_name: eventName } : {}) });
  const apiEvents = (name: string, eventName?: string) =>
    eventCount(world.root, '/api/v4/audit_events', `&package_name=${name}${eventName ? `&event_name=${eventName}` : ''}`);

  async function publish(name: string, version: string): Promise<{ res: ApiResponse; sha: string }> {
    const tarball = await packageTarball(name, version);
    const res = await maintainer.api.put(npm(name), publishBody(name, version, tarball));
    return { res, sha: sha256(tarball) };
  }

  async function packageNames(): Promise<string[]> {
    const list = await world.root.get(`/api/v4/projects/${project.id}/packages?per_page=100`);
    assert.equal(list.status, 200, list.text);
    return list.body.map((p: any) => `${p.name}@${p.version}`).sort();
  }

  const forcedFailuresLogged = () => trove.output().split('forced failure').length - 1;

  /** A 500 caused by the injected fault itself (the server logs it), with nothing internal in the body. */
  async function assertInternalError(res: ApiResponse, loggedBefore: number): Promise<void> {
    assert.equal(res.status, 500, res.text);
    for (let i = 0; i < 50 && forcedFailuresLogged() === loggedBefore; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(forcedFailuresLogged() > loggedBefore, `the server log shows the injected failure:\n${trove.output()}`);
    assert.equal(res.body?.error, '500 Internal Server Error');
    assert.doesNotMatch(res.text, /forced failure|SQLITE|trigger|plpgsql|P0001|INSERT|audit_events|package_files/i, 'internal details must not leak');
  }

  before(async () => {
    trove = await startTrove({ env: fastBlobGc() });
    world = new World(trove);
    const group = await world.group('acme');
    project = await world.project('web-app', group.id);
    maintainer = await world.user('max', ['api'], 'max-laptop');
    await world.addMember('groups', group.id, maintainer, 40);
    db = await openFaultInjector(trove);
    // A package that must be untouched by every failed write below.
    const { res } = await publish('bystander', '1.0.0');
    assert.equal(res.status, 200, res.text);
  });

  after(async () => {
    await db?.close();
    await trove?.stop();
  });

  // Each trigger aborts one statement in the middle of a publish; the earlier statements of the
  // same transaction (the package row, maybe its file and event) must be rolled back with it.
  const publishFailures: Array<{ name: string; where: string; fault: Fault }> = [
    {
      name: 'boom-audit',
      where: 'the package and file rows are written, then the published event insert fails',
      fault: {
        name: 'fail_boom_audit',
        table: 'audit_events',
        when: `NEW.package_name = 'boom-audit' AND NEW.event_name = 'package_registry_package_published'`,
      },
    },
    {
      name: 'boom-files',
      where: 'the package row is written, then the package_files insert fails before any event',
      fault: {
        name: 'fail_boom_files',
        table: 'package_files',
        when: `(SELECT name FROM packages WHERE id = NEW.package_id) = 'boom-files'`,
      },
    },
    {
      name: 'boom-tag',
      where: 'the version and its published event are written, then the latest tag event fails',
      fault: {
        name: 'fail_boom_tag',
        table: 'audit_events',
        when: `NEW.package_name = 'boom-tag' AND NEW.event_name = 'package_registry_package_tag_created'`,
      },
    },
  ];

  for (const failure of publishFailures) {
    it(`rolls back a publish when ${failure.where}`, async () => {
      const packagesBefore = await packageNames();
      const bystander = await world.root.get(npm('bystander'));
      const logged = forcedFailuresLogged();
      await db.failInserts(failure.fault);
      let failed: { res: ApiResponse; sha: string };
      try {
        failed = await publish(failure.name, '1.0.0');
      } finally {
        await db.removeFault(failure.fault);
      }
      await assertInternalError(failed.res, logged);

      assert.deepEqual(await packageNames(), packagesBefore);
      assert.equal((await world.root.get(npm(failure.name))).status, 404);
      assert.equal((await world.root.get(npm('bystander'))).text, bystander.text);
      assert.equal(await apiEvents(failure.name), 0, 'no event of any kind, not even publish_denied');
      assert.equal(await dbEvents(failure.name), 0);
      assert.equal(await db.countRows('packages', { name: failure.name }), 0);
      assert.equal(await db.countRows('package_files', { sha256: failed.sha }), 0);
      assert.equal(await db.countRows('package_tags', { normalized_name: failure.name }), 0);
      assert.equal(await stored(failed.sha), false, 'orphan blob left behind');
      assert.deepEqual(tmpFiles(), []);

      // Without the trigger the same publish succeeds: the package and exactly one published event.
      const ok = await publish(failure.name, '1.0.0');
      assert.equal(ok.res.status, 200, ok.res.text);
      assert.equal(ok.sha, failed.sha);
      assert.deepEqual(await packageNames(), [...packagesBefore, `${failure.name}@1.0.0`].sort());
      assert.equal(await apiEvents(failure.name, 'package_registry_package_published'), 1);
      assert.equal(await dbEvents(failure.name, 'package_registry_package_published'), 1);
      assert.equal(await dbEvents(failure.name), 2, 'published + tag_created');
      assert.ok(await stored(ok.sha), 'the blob of a committed publish exists');
      const [event] = await db.auditRecords({ package_name: failure.name, event_name: 'package_registry_package_published' });
      assert.equal(event.package.files[0].sha256, ok.sha);
      assert.equal(event.outcome, 'success');
    });
  }

  // npm tarballs are kept in the database with their file row (inline-blob-store.ts), so the
  // rollback above takes their bytes with it. A streamed upload goes to the blob folder before the
  // transaction: when that transaction fails, the blob collector removes the file (the same bytes
  // may be on their way into another file, so the failed write itself never deletes them).
  it('leaves the blob folder file of a streamed generic upload whose transaction fails to the collector', async () => {
    const fault: Fault = { name: 'fail_boom_generic', table: 'package_files', when: `NEW.file_name = 'boom.bin'` };
    const bytes = Buffer.from('generic bytes that must not stay behind\n'.repeat(100));
    const url = `/api/v4/projects/${project.id}/packages/generic/boom-generic/1.0.0/boom.bin`;
    const upload = () =>
      fetch(`${trove.baseUrl}${url}`, { method: 'PUT', headers: { 'PRIVATE-TOKEN': maintainer.token }, body: new Uint8Array(bytes) });
    const logged = forcedFailuresLogged();
    await db.failInserts(fault);
    let failed: Response;
    try {
      failed = await upload();
    } finally {
      await db.removeFault(fault);
    }
    assert.equal(failed.status, 500, await failed.text());
    for (let i = 0; i < 50 && forcedFailuresLogged() === logged; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(forcedFailuresLogged() > logged, 'the server log shows the injected failure');
    assert.equal(await db.countRows('packages', { name: 'boom-generic' }), 0);
    await blobsCollected(world.root);
    assert.equal(await stored(sha256(bytes)), false, 'orphan blob left behind');
    assert.deepEqual(tmpFiles(), []);

    const ok = await upload();
    assert.equal(ok.status, 201, await ok.text());
    assert.ok(existsSync(join(trove.dataDir, 'blobs', sha256(bytes).slice(0, 2), sha256(bytes).slice(2, 4), sha256(bytes))), 'a streamed upload is kept in the blob folder');
  });

  it('keeps every committed package paired with its published event', async () => {
    const packages = await db.packageRows();
    const published = await db.auditRecords({ event_name: 'package_registry_package_published' });
    assert.ok(packages.length >= 4, 'bystander and the three packages published after their failures');
    const unpaired = packages
      .filter((p) => !published.some((e) => e.package?.name === p.name && e.package?.version === p.version && e.package?.id === p.id))
      .map((p) => ({ name: p.name, version: p.version }));
    assert.deepEqual(unpaired, []);
    assert.equal(published.length, await db.countRows('packages'), 'no event without its package');
  });

  it('unpublishes a whole package all-or-nothing when the 3rd deletion event fails', async () => {
    const versions = ['1.0.0', '1.1.0', '1.2.0'];
    const shas: string[] = [];
    for (const version of versions) {
      const { res, sha } = await publish('boom-unpub', version);
      assert.equal(res.status, 200, res.text);
      shas.push(sha);
    }
    const packument = await world.root.get(npm('boom-unpub'));
    assert.deepEqual(Object.keys(packument.body.versions), versions);
    const packagesBefore = await packageNames();
    const eventsBefore = await dbEvents('boom-unpub');

    // The third package_deleted event of boom-unpub fails; the first two were already inserted.
    const thirdDelete: Fault = {
      name: 'fail_third_delete',
      table: 'audit_events',
      when: `NEW.package_name = 'boom-unpub' AND NEW.event_name = 'package_registry_package_deleted'
        AND (SELECT count(*) FROM audit_events WHERE package_name = 'boom-unpub'
             AND event_name = 'package_registry_package_deleted') >= 2`,
    };
    const logged = forcedFailuresLogged();
    await db.failInserts(thirdDelete);
    let failed: ApiResponse;
    try {
      failed = await maintainer.api.delete(npm(`boom-unpub/-rev/${packument.body._rev}`));
    } finally {
      await db.removeFault(thirdDelete);
    }
    await assertInternalError(failed, logged);

    assert.deepEqual(await packageNames(), packagesBefore, 'none of the 3 versions may be deleted');
    assert.equal((await world.root.get(npm('boom-unpub'))).text, packument.text);
    assert.equal(await dbEvents('boom-unpub'), eventsBefore);
    assert.equal(await apiEvents('boom-unpub', 'package_registry_package_deleted'), 0);
    assert.equal(await apiEvents('boom-unpub', 'package_registry_package_tag_deleted'), 0);
    assert.equal(await db.countRows('package_tags', { normalized_name: 'boom-unpub' }), 1);
    for (const sha of shas) assert.ok(await stored(sha), `blob ${sha} of a surviving version was removed`);
    for (const version of versions) {
      const tarball = await fetch(`${trove.baseUrl}${npm(`boom-unpub/-/boom-unpub-${version}.tgz`)}`, { headers: { 'PRIVATE-TOKEN': trove.rootToken } });
      assert.equal(tarball.status, 200, `tarball of ${version} must still download`);
    }

    // Without the trigger it succeeds: three versions gone, three deleted events, blobs released.
    const ok = await maintainer.api.delete(npm(`boom-unpub/-rev/${packument.body._rev}`));
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(await packageNames(), packagesBefore.filter((p) => !p.startsWith('boom-unpub@')));
    assert.equal((await world.root.get(npm('boom-unpub'))).status, 404);
    assert.equal(await apiEvents('boom-unpub', 'package_registry_package_deleted'), 3);
    assert.equal(await dbEvents('boom-unpub', 'package_registry_package_deleted'), 3);
    const deleted = await db.auditRecords({ package_name: 'boom-unpub', event_name: 'package_registry_package_deleted' });
    assert.deepEqual(deleted.map((d) => d.package.version).sort(), versions);
    await blobsCollected(world.root);
    for (const sha of shas) assert.equal(await stored(sha), false, `blob ${sha} should be collected after the commit`);
    assert.deepEqual(tmpFiles(), []);
  });
});
