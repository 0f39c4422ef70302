import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { ApiResponse } from '../support/api.js';
import { eventCount } from '../support/audit.js';
import { packageTarball, publishBody } from '../support/npm-publish-body.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// SPEC 4.4: a package write and its audit event commit together or not at all. Failures are
// forced INSIDE the server's transaction with triggers created, from this process, in the real
// SQLite file of the running server (WAL lets two processes share it). A write that fails there
// is a server error: 500 with npm's {"error"} body and no SQL detail, nothing stored, no event
// (a 5xx is not a refusal, so no publish_denied either) and no orphan blob.

describe('atomicity of package writes and their audit events', () => {
  let trove: RunningTrove;
  let world: World;
  let db: Database.Database;
  let project: { id: number };
  let maintainer: TestUser;

  const npm = (rest: string) => `/api/v4/projects/${project.id}/packages/npm/${rest}`;
  const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
  const blobPath = (sha: string) => join(trove.dataDir, 'blobs', sha.slice(0, 2), sha.slice(2, 4), sha);
  const tmpFiles = () => {
    const tmp = join(trove.dataDir, 'blobs', 'tmp');
    return existsSync(tmp) ? readdirSync(tmp) : [];
  };
  const rows = (sql: string, ...params: unknown[]) => (db.prepare(sql).get(...params) as { n: number }).n;
  const dbEvents = (name: string, eventName = '%') =>
    rows('SELECT count(*) AS n FROM audit_events WHERE package_name = ? AND event_name LIKE ?', name, eventName);
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

  function assertInternalError(res: ApiResponse): void {
    assert.equal(res.status, 500, res.text);
    assert.equal(res.body?.error, '500 Internal Server Error');
    assert.doesNotMatch(res.text, /forced failure|SQLITE|trigger/i, 'internal details must not leak');
  }

  before(async () => {
    trove = await startTrove();
    world = new World(trove);
    const group = await world.group('acme');
    project = await world.project('web-app', group.id);
    maintainer = await world.user('max', ['api'], 'max-laptop');
    await world.addMember('groups', group.id, maintainer, 40);
    db = new Database(join(trove.dataDir, 'trove.db'));
    db.pragma('busy_timeout = 5000');
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    // A package that must be untouched by every failed write below.
    const { res } = await publish('bystander', '1.0.0');
    assert.equal(res.status, 200, res.text);
  });

  after(async () => {
    db?.close();
    await trove?.stop();
  });

  // Each trigger aborts one statement in the middle of a publish; the earlier statements of the
  // same transaction (the package row, maybe its file and event) must be rolled back with it.
  const publishFailures = [
    {
      name: 'boom-audit',
      where: 'the package and file rows are written, then the published event insert fails',
      trigger: `CREATE TRIGGER fail_boom_audit BEFORE INSERT ON audit_events
        WHEN NEW.package_name = 'boom-audit' AND NEW.event_name = 'package_registry_package_published'
        BEGIN SELECT RAISE(ABORT, 'forced failure'); END`,
      drop: 'DROP TRIGGER fail_boom_audit',
    },
    {
      name: 'boom-files',
      where: 'the package row is written, then the package_files insert fails before any event',
      trigger: `CREATE TRIGGER fail_boom_files BEFORE INSERT ON package_files
        WHEN (SELECT name FROM packages WHERE id = NEW.package_id) = 'boom-files'
        BEGIN SELECT RAISE(ABORT, 'forced failure'); END`,
      drop: 'DROP TRIGGER fail_boom_files',
    },
    {
      name: 'boom-tag',
      where: 'the version and its published event are written, then the latest tag event fails',
      trigger: `CREATE TRIGGER fail_boom_tag BEFORE INSERT ON audit_events
        WHEN NEW.package_name = 'boom-tag' AND NEW.event_name = 'package_registry_package_tag_created'
        BEGIN SELECT RAISE(ABORT, 'forced failure'); END`,
      drop: 'DROP TRIGGER fail_boom_tag',
    },
  ];

  for (const failure of publishFailures) {
    it(`rolls back a publish when ${failure.where}`, async () => {
      const packagesBefore = await packageNames();
      const bystander = await world.root.get(npm('bystander'));
      db.exec(failure.trigger);
      let failed: { res: ApiResponse; sha: string };
      try {
        failed = await publish(failure.name, '1.0.0');
      } finally {
        db.exec(failure.drop);
      }
      assertInternalError(failed.res);

      assert.deepEqual(await packageNames(), packagesBefore);
      assert.equal((await world.root.get(npm(failure.name))).status, 404);
      assert.equal((await world.root.get(npm('bystander'))).text, bystander.text);
      assert.equal(await apiEvents(failure.name), 0, 'no event of any kind, not even publish_denied');
      assert.equal(dbEvents(failure.name), 0);
      assert.equal(rows('SELECT count(*) AS n FROM packages WHERE name = ?', failure.name), 0);
      assert.equal(rows('SELECT count(*) AS n FROM package_files WHERE sha256 = ?', failed.sha), 0);
      assert.equal(rows('SELECT count(*) AS n FROM package_tags WHERE normalized_name = ?', failure.name), 0);
      assert.equal(existsSync(blobPath(failed.sha)), false, 'orphan blob left behind');
      assert.deepEqual(tmpFiles(), []);

      // Without the trigger the same publish succeeds: the package and exactly one published event.
      const ok = await publish(failure.name, '1.0.0');
      assert.equal(ok.res.status, 200, ok.res.text);
      assert.equal(ok.sha, failed.sha);
      assert.deepEqual(await packageNames(), [...packagesBefore, `${failure.name}@1.0.0`].sort());
      assert.equal(await apiEvents(failure.name, 'package_registry_package_published'), 1);
      assert.equal(dbEvents(failure.name, 'package_registry_package_published'), 1);
      assert.equal(dbEvents(failure.name), 2, 'published + tag_created');
      assert.ok(existsSync(blobPath(ok.sha)), 'the blob of a committed publish exists');
      const event = JSON.parse(
        (db.prepare("SELECT record FROM audit_events WHERE package_name = ? AND event_name = 'package_registry_package_published'").get(failure.name) as { record: string }).record,
      );
      assert.equal(event.package.files[0].sha256, ok.sha);
      assert.equal(event.outcome, 'success');
    });
  }

  it('keeps every committed package paired with its published event', () => {
    const unpaired = db
      .prepare(
        `SELECT p.name, p.version FROM packages p WHERE NOT EXISTS (
           SELECT 1 FROM audit_events e WHERE e.event_name = 'package_registry_package_published'
             AND e.package_name = p.name AND json_extract(e.record, '$.package.version') = p.version
             AND json_extract(e.record, '$.package.id') = p.id)`,
      )
      .all();
    assert.deepEqual(unpaired, []);
    const published = rows("SELECT count(*) AS n FROM audit_events WHERE event_name = 'package_registry_package_published'");
    assert.equal(published, rows('SELECT count(*) AS n FROM packages'), 'no event without its package');
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
    const eventsBefore = dbEvents('boom-unpub');

    // The third package_deleted event of boom-unpub fails; the first two were already inserted.
    db.exec(`CREATE TRIGGER fail_third_delete BEFORE INSERT ON audit_events
      WHEN NEW.package_name = 'boom-unpub' AND NEW.event_name = 'package_registry_package_deleted'
        AND (SELECT count(*) FROM audit_events WHERE package_name = 'boom-unpub'
             AND event_name = 'package_registry_package_deleted') >= 2
      BEGIN SELECT RAISE(ABORT, 'forced failure'); END`);
    let failed: ApiResponse;
    try {
      failed = await maintainer.api.delete(npm(`boom-unpub/-rev/${packument.body._rev}`));
    } finally {
      db.exec('DROP TRIGGER fail_third_delete');
    }
    assertInternalError(failed);

    assert.deepEqual(await packageNames(), packagesBefore, 'none of the 3 versions may be deleted');
    assert.equal((await world.root.get(npm('boom-unpub'))).text, packument.text);
    assert.equal(dbEvents('boom-unpub'), eventsBefore);
    assert.equal(await apiEvents('boom-unpub', 'package_registry_package_deleted'), 0);
    assert.equal(await apiEvents('boom-unpub', 'package_registry_package_tag_deleted'), 0);
    assert.equal(rows("SELECT count(*) AS n FROM package_tags WHERE normalized_name = 'boom-unpub'"), 1);
    for (const sha of shas) assert.ok(existsSync(blobPath(sha)), `blob ${sha} of a surviving version was removed`);
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
    assert.equal(dbEvents('boom-unpub', 'package_registry_package_deleted'), 3);
    const deleted = db
      .prepare("SELECT json_extract(record, '$.package.version') AS v FROM audit_events WHERE package_name = 'boom-unpub' AND event_name = 'package_registry_package_deleted'")
      .all() as Array<{ v: string }>;
    assert.deepEqual(deleted.map((d) => d.v).sort(), versions);
    for (const sha of shas) assert.equal(existsSync(blobPath(sha)), false, `blob ${sha} should be released after the commit`);
    assert.deepEqual(tmpFiles(), []);
  });
});
