import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freshDatabaseUrl } from '../../../test/support/test-database.js';
import { migrateToLatest, openDatabase, type Db } from '../../storage/db/database.js';
import { createGroup } from '../accounts/group-lifecycle.js';
import { createProject } from '../accounts/project-lifecycle.js';
import type { Project } from '../accounts/projects.js';
import { AuditLog } from '../audit/audit-log.js';
import { systemAuditContext } from '../audit/audit-types.js';
import { claimRun, duePolicies, policyOf, updatePolicy } from './cleanup-policy-store.js';
import { tempDir } from '../../../test/support/temp-dir.js';

// Saving and claiming policies against a real database (SQLite, or PostgreSQL on that run).

describe('cleanup policy store', () => {
  let db: Db;
  let audit: AuditLog;
  let n = 0;
  const ctx = systemAuditContext('store test');

  before(async () => {
    db = openDatabase({ sqliteFile: join(tempDir('trove-cleanup-unit-'), 'trove.db'), postgresUrl: await freshDatabaseUrl() });
    await migrateToLatest(db);
    audit = new AuditLog({ package_audit_events: 'enabled', package_download_events: 'disabled' });
  });

  after(async () => {
    await db?.destroy();
  });

  async function project(): Promise<Project> {
    const i = ++n;
    const group = await createGroup(db, { audit, ctx: systemAuditContext('test') }, { name: `g${i}`, path: `g${i}`, parentId: null });
    return createProject(db, { audit, ctx: systemAuditContext('test') }, { path: 'app', namespace: group });
  }

  const updates = (p: Project) => db.selectFrom('audit_events').selectAll().where('event_name', '=', 'package_registry_cleanup_policy_updated').where('project_id', '=', p.id).execute();

  it('saves a policy with its audit event in one transaction, and nothing for a no-op', async () => {
    const p = await project();
    assert.equal((await policyOf(db, p)).id, null);
    const saved = await updatePolicy(db, audit, ctx, p, { enabled: true, keep_n_versions: 2 }, { maySetNextRunAt: false });
    assert.ok(saved.id !== null);
    assert.deepEqual(await policyOf(db, p), saved);
    const events = await updates(p);
    assert.equal(events.length, 1);
    assert.deepEqual(JSON.parse(events[0].record).changes.keep_n_versions, { from: null, to: 2 });
    await updatePolicy(db, audit, ctx, p, { keep_n_versions: 2 }, { maySetNextRunAt: false });
    assert.equal((await updates(p)).length, 1);
    // A refused body changes nothing and records nothing.
    await assert.rejects(updatePolicy(db, audit, ctx, p, { name_regex: '(' }, { maySetNextRunAt: false }), { statusCode: 400 });
    assert.deepEqual(await policyOf(db, p), saved);
    assert.equal((await updates(p)).length, 1);
  });

  it('lets exactly one of several concurrent claims run a due policy', async () => {
    const p = await project();
    const dueAt = new Date(Date.now() - 1000).toISOString();
    await updatePolicy(db, audit, ctx, p, { enabled: true, keep_n_versions: 1, next_run_at: dueAt }, { maySetNextRunAt: true });
    const now = new Date();
    const due = (await duePolicies(db, now)).filter((policy) => policy.project_id === p.id);
    assert.equal(due.length, 1);
    // Two processes that both read the same due policy: each tries to claim it.
    const claims = await Promise.all([claimRun(db, due[0], now), claimRun(db, due[0], now), claimRun(db, due[0], now)]);
    assert.deepEqual(claims.filter(Boolean).length, 1);
    const after = await policyOf(db, p);
    assert.equal(after.next_run_at, new Date(now.getTime() + 86_400_000).toISOString());
    assert.equal((await duePolicies(db, now)).filter((policy) => policy.project_id === p.id).length, 0);
  });

  it('never runs disabled policies on schedule', async () => {
    const p = await project();
    await updatePolicy(db, audit, ctx, p, { enabled: true, keep_n_versions: 1, next_run_at: new Date(Date.now() - 1000).toISOString() }, { maySetNextRunAt: true });
    const due = (await duePolicies(db, new Date())).filter((policy) => policy.project_id === p.id);
    await updatePolicy(db, audit, ctx, p, { enabled: false }, { maySetNextRunAt: false });
    assert.equal((await policyOf(db, p)).next_run_at, null);
    assert.equal((await duePolicies(db, new Date())).filter((policy) => policy.project_id === p.id).length, 0);
    assert.equal(await claimRun(db, due[0], new Date()), false);
  });
});
