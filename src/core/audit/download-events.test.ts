import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { freshDatabaseUrl } from '../../../test/support/test-database.js';
import { migrateToLatest, openDatabase, type DatabaseOptions, type Db } from '../../storage/db/database.js';
import { isPostgres } from '../../storage/db/dialect-types.js';
import { createGroup } from '../accounts/group-lifecycle.js';
import type { Namespace } from '../accounts/namespaces.js';
import { createProject } from '../accounts/project-lifecycle.js';
import type { Project } from '../accounts/projects.js';
import type { PackageFileRow, PackageRow } from '../packages/packages.js';
import { AuditLog } from './audit-log.js';
import { systemAuditContext, type AuditRecord } from './audit-types.js';
import { DownloadEventWriter } from './download-event-writer.js';
import { DOWNLOADED_EVENT, DownloadEventBuffer } from './download-events.js';
import { tempDir } from '../../../test/support/temp-dir.js';

// The download event buffer against a real database (SQLite, or PostgreSQL on the PostgreSQL run):
// which namespaces record, batching by time and by count, one transaction per batch with a
// contiguous seq, the cached setting, retry after a failing write, and the flush on close.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const silentLog = { errors: 0, error() { this.errors++; }, warn() {} };

describe('DownloadEventBuffer', () => {
  let db: Db;
  let database: DatabaseOptions;
  let audit: AuditLog;
  const buffers: DownloadEventBuffer[] = [];
  let n = 0;

  before(async () => {
    const postgresUrl = await freshDatabaseUrl();
    database = { sqliteFile: join(tempDir('trove-dl-unit-'), 'trove.db'), postgresUrl };
    db = openDatabase(database);
    await migrateToLatest(db);
    audit = new AuditLog({ package_audit_events: 'enabled', package_download_events: 'disabled' });
  });

  after(async () => {
    for (const buffer of buffers) await buffer.close().catch(() => undefined);
    await db?.destroy();
  });

  /** A buffer with the production writer (a worker thread with its own connection), its thread started. */
  async function buffer(options: ConstructorParameters<typeof DownloadEventBuffer>[4] = {}) {
    const writer = new DownloadEventWriter({ database, defaults: audit.instanceDefaults }, () => audit.outboxSignal.notify());
    // Started here, not by the first recording decision: a test's timing is then the buffer's own
    // (the thread loads TypeScript through tsx here, which took a second on a loaded CI machine).
    await writer.start();
    const made = new DownloadEventBuffer(db, audit, writer, silentLog, options);
    buffers.push(made);
    return made;
  }

  /** A group (optionally below `parent`) with one project holding one npm version with one file. */
  async function fixture(settings: Partial<Pick<Namespace, 'package_download_events' | 'package_audit_events'>>, parent: Namespace | null = null) {
    const i = ++n;
    let group = await createGroup(db, { audit, ctx: systemAuditContext('test') }, { name: `g${i}`, path: `g${i}`, parentId: parent?.id ?? null });
    if (Object.keys(settings).length > 0) {
      await db.updateTable('namespaces').set(settings).where('id', '=', group.id).execute();
      group = { ...group, ...settings };
    }
    const project = await createProject(db, { audit, ctx: systemAuditContext('test') }, { path: 'app', namespace: group });
    const at = new Date().toISOString();
    const pkg = await db
      .insertInto('packages')
      .values({ project_id: project.id, format: 'npm', name: `pkg-${i}`, normalized_name: `pkg-${i}`, version: '1.0.0', status: 'default', metadata: '{}', published_by: '{}', created_at: at, updated_at: at })
      .returningAll()
      .executeTakeFirstOrThrow();
    const file = await db
      .insertInto('package_files')
      .values({ package_id: pkg.id, file_name: `pkg-${i}-1.0.0.tgz`, size: 123, sha256: 'a'.repeat(64), sha1: 'b'.repeat(40), md5: 'c'.repeat(32), sha512: 'd'.repeat(128), created_by: '{}', created_at: at, metadata: null })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { group, project, pkg: pkg as PackageRow, file: file as PackageFileRow };
  }

  async function downloadEvents(project: Project): Promise<AuditRecord[]> {
    const rows = await db.selectFrom('audit_events').select('record').where('event_name', '=', DOWNLOADED_EVENT).where('project_id', '=', project.id).orderBy('seq').execute();
    return rows.map((r) => JSON.parse(r.record) as AuditRecord);
  }

  async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs = 3000): Promise<number> {
    const start = Date.now();
    while (!(await condition())) {
      if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
      await sleep(10);
    }
    return Date.now() - start;
  }

  it('records nothing for namespaces that leave the setting at its default (disabled) or turn package events off', async () => {
    const buf = await buffer();
    assert.equal(await buf.recordingFor((await fixture({})).project), null, 'default: disabled');
    assert.equal(await buf.recordingFor((await fixture({ package_download_events: 'disabled' })).project), null);
    assert.equal(await buf.recordingFor((await fixture({ package_download_events: 'enabled', package_audit_events: 'disabled' })).project), null, 'package events off wins');
    const enabled = await fixture({ package_download_events: 'enabled' });
    assert.equal((await buf.recordingFor(enabled.project))?.namespace.id, enabled.group.id);
    const parent = await fixture({ package_download_events: 'enabled' });
    const child = await fixture({}, parent.group);
    assert.equal((await buf.recordingFor(child.project))?.namespace.id, child.group.id, 'a subgroup inherits enabled');
    const optedOut = await fixture({ package_download_events: 'disabled' }, parent.group);
    assert.equal(await buf.recordingFor(optedOut.project), null, 'a subgroup may opt out');
  });

  it('starts the writer thread when it first finds a namespace that records downloads, not before', async () => {
    const writer = new DownloadEventWriter({ database, defaults: audit.instanceDefaults }, () => undefined);
    const buf = new DownloadEventBuffer(db, audit, writer, silentLog);
    buffers.push(buf);
    assert.equal(await buf.recordingFor((await fixture({})).project), null);
    assert.equal(writer.running, false, 'no thread for a namespace that records nothing');
    assert.ok(await buf.recordingFor((await fixture({ package_download_events: 'enabled' })).project));
    assert.equal(writer.running, true);
  });

  it('writes queued events after the interval, in one transaction with contiguous seq', async () => {
    // 1.5 s rather than the default 250 ms: on a loaded CI machine a 100 ms sleep and a query
    // once took longer than 250 ms, and the batch was (rightly) written before the check.
    const buf = await buffer({ flushIntervalMs: 1500 });
    const f = await fixture({ package_download_events: 'enabled' });
    const recording = (await buf.recordingFor(f.project))!;
    const ctx = systemAuditContext('test');
    const queued = Date.now();
    for (let i = 0; i < 5; i++) buf.enqueue(ctx, { project: f.project, namespace: recording.namespace, pkg: f.pkg, file: f.file });
    assert.equal(buf.pending, 5);
    await sleep(100);
    assert.equal((await downloadEvents(f.project)).length, 0, 'not written before the interval');
    await waitFor('the batch', async () => (await downloadEvents(f.project)).length === 5, 5000);
    const waited = Date.now() - queued;
    assert.ok(waited >= 1400 && waited < 3500, `written after the interval, not much later (${waited} ms)`);
    const events = await downloadEvents(f.project);
    const seqs = events.map((e) => e.seq);
    assert.deepEqual(seqs, seqs.map((_, i) => seqs[0] + i), 'contiguous seq');
    const e = events[0];
    assert.equal(e.event_name, DOWNLOADED_EVENT);
    assert.deepEqual([e.entity_type, e.entity_id], ['Group', f.group.id]);
    assert.deepEqual(e.project, { id: f.project.id, full_path: f.project.full_path });
    assert.deepEqual(e.package, { id: f.pkg.id, format: 'npm', name: f.pkg.name, version: '1.0.0', files: [{ file_name: f.file.file_name, size: 123, sha256: f.file.sha256 }] });
    // pending drops when the writer thread's answer arrives, which may be just after the commit is visible.
    await waitFor('the writer to report the batch', async () => buf.pending === 0);
  });

  it('writes at once when 1000 events are queued, not before', async () => {
    const buf = await buffer({ flushIntervalMs: 60_000 });
    const f = await fixture({ package_download_events: 'enabled' });
    const recording = (await buf.recordingFor(f.project))!;
    const ctx = systemAuditContext('test');
    for (let i = 0; i < 999; i++) buf.enqueue(ctx, { project: f.project, namespace: recording.namespace, pkg: f.pkg, file: f.file });
    await sleep(300);
    assert.equal((await downloadEvents(f.project)).length, 0, '999 wait for the (long) interval');
    buf.enqueue(ctx, { project: f.project, namespace: recording.namespace, pkg: f.pkg, file: f.file });
    await waitFor('the full batch', async () => (await downloadEvents(f.project)).length === 1000, 5000);
    // pending drops when the writer thread's answer arrives, which may be just after the commit is visible.
    await waitFor('the writer to report the batch', async () => buf.pending === 0);
  });

  it('caches the decision per namespace for settingTtlMs', async () => {
    const buf = await buffer({ settingTtlMs: 300 });
    const f = await fixture({ package_download_events: 'enabled' });
    assert.ok(await buf.recordingFor(f.project));
    await db.updateTable('namespaces').set({ package_download_events: 'disabled' }).where('id', '=', f.group.id).execute();
    assert.ok(await buf.recordingFor(f.project), 'still the cached decision');
    await sleep(350);
    assert.equal(await buf.recordingFor(f.project), null, 'the change is seen after the TTL');
  });

  it('drops queued events when package events were turned off before the batch is written', async () => {
    const buf = await buffer({ flushIntervalMs: 60_000 });
    const f = await fixture({ package_download_events: 'enabled' });
    const recording = (await buf.recordingFor(f.project))!;
    buf.enqueue(systemAuditContext('test'), { project: f.project, namespace: recording.namespace, pkg: f.pkg, file: f.file });
    await db.updateTable('namespaces').set({ package_audit_events: 'disabled' }).where('id', '=', f.group.id).execute();
    await buf.flush();
    assert.equal(buf.pending, 0);
    assert.equal((await downloadEvents(f.project)).length, 0, 'package_audit_events is checked when writing');
  });

  it('keeps a failed batch queued and retries it until it is written', async () => {
    const buf = await buffer({ flushIntervalMs: 50 });
    const f = await fixture({ package_download_events: 'enabled' });
    const recording = (await buf.recordingFor(f.project))!;
    const postgres = isPostgres(db);
    // A real failure inside the database: a trigger refusing this project's download events.
    if (postgres) {
      await sql
        .raw(
          `CREATE FUNCTION dl_fault() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected'; END $$;
           CREATE TRIGGER dl_fault BEFORE INSERT ON audit_events FOR EACH ROW WHEN (NEW.project_id = ${f.project.id}) EXECUTE FUNCTION dl_fault()`,
        )
        .execute(db);
    } else {
      await sql.raw(`CREATE TRIGGER dl_fault BEFORE INSERT ON audit_events WHEN NEW.project_id = ${f.project.id} BEGIN SELECT RAISE(ABORT, 'injected'); END`).execute(db);
    }
    const errorsBefore = silentLog.errors;
    try {
      buf.enqueue(systemAuditContext('test'), { project: f.project, namespace: recording.namespace, pkg: f.pkg, file: f.file });
      await waitFor('two failed attempts', async () => silentLog.errors >= errorsBefore + 2);
      assert.equal(buf.pending, 1, 'the event is still queued');
      assert.equal((await downloadEvents(f.project)).length, 0);
    } finally {
      await sql.raw(postgres ? 'DROP TRIGGER dl_fault ON audit_events; DROP FUNCTION dl_fault()' : 'DROP TRIGGER dl_fault').execute(db);
    }
    await waitFor('the retry', async () => (await downloadEvents(f.project)).length === 1, 10_000);
    // pending drops when the writer thread's answer arrives, which may be just after the commit is visible.
    await waitFor('the writer to report the batch', async () => buf.pending === 0);
  });

  it('close() writes everything still queued', async () => {
    const buf = await buffer({ flushIntervalMs: 60_000 });
    const f = await fixture({ package_download_events: 'enabled' });
    const recording = (await buf.recordingFor(f.project))!;
    for (let i = 0; i < 1500; i++) buf.enqueue(systemAuditContext('test'), { project: f.project, namespace: recording.namespace, pkg: f.pkg, file: f.file });
    await buf.close();
    assert.equal(buf.pending, 0);
    assert.equal((await downloadEvents(f.project)).length, 1500);
  });
});
