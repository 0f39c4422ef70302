import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freshDatabaseUrl } from '../../../../test/support/test-database.js';
import { tempDir } from '../../../../test/support/temp-dir.js';
import { migrateToLatest, openDatabase, type Db } from '../../../storage/db/database.js';
import { AuditLog } from '../audit-log.js';
import { listStoredEventsOldestFirst } from '../audit-query.js';
import type { AuditContext, AuditEventInput } from '../audit-types.js';
import { jsonlFormat } from '../export/jsonl-format.js';
import { isOtherLine, RecordChecker, splitStoredLine, type CheckedRecord } from './record-check.js';

// Records are stored as their canonical JSON, so the verifier can take an exported line's record
// text as the very bytes its leaf commits to (RecordChecker.checkStored) without parsing it. Every
// shape the recorder writes must take that fast path, and any change to a line must leave it for
// the full check, which names the problem. Records written by the real recorder into a real database.

const NO_ROOTS = { trusted: [], rejected: [] };

describe('stored records checked as text', () => {
  let db: Db;
  let lines: string[];

  before(async () => {
    db = openDatabase({ sqliteFile: join(tempDir('trove-stored-line-'), 'trove.db'), postgresUrl: await freshDatabaseUrl() });
    await migrateToLatest(db);
    const audit = new AuditLog({ package_audit_events: 'enabled', package_download_events: 'disabled' });
    const ctx = (i: number): AuditContext => ({
      actor: i % 2 ? { type: 'user', user_id: 7, username: 'ann', token_id: null, token_name: null, token_owner_path: null } : { type: 'system', user_id: null, username: null, token_id: null, token_name: null, token_owner_path: null, name: 'Packages cleanup policy' },
      via: i % 2 ? 'api' : 'system',
      client: i % 3 ? { name: 'npm', version: '10.8.2' } : null,
      userAgent: null,
      ipAddress: i % 2 ? '127.0.0.1' : null,
      requestId: i % 2 ? `r${i}` : null,
      pipeline: i === 3 ? { id: 5, job_id: 9, project_path: 'g/p', ref: 'main', sha: 'abc', url: null } : null,
    });
    const inputs: AuditEventInput[] = [
      { eventName: 'package_registry_package_published', scope: { entityType: 'Group', entityId: 1, entityPath: 'g', settingNamespaceId: null }, project: { id: 2, full_path: 'g/p' }, package: { id: 3, format: 'npm', name: '@g/"quoted"', version: '1.0.0', files: [] }, target: { id: 3, type: 'Packages::Package', details: 'ünïcödé ✓ 😀 \u0000' }, customMessage: 'Published' },
      { eventName: 'package_registry_audit_settings_updated', scope: { entityType: 'Project', entityId: 2, entityPath: 'u/p', settingNamespaceId: null }, target: { id: 2, type: 'Project', details: 'u/p' }, customMessage: 'x', changes: { setting: { from: { a: 1, id: 4 }, to: { a: 2, event_name: 'x', seq: 9 } } } },
      { eventName: 'package_registry_package_publish_denied', outcome: 'failure', reason: 'forbidden', scope: { entityType: 'Group', entityId: 1, entityPath: 'g', settingNamespaceId: null }, target: { id: null, type: 'Packages::Package', details: 'x' }, customMessage: 'Denied' },
      { eventName: 'package_registry_package_deleted', scope: { entityType: 'Group', entityId: 1, entityPath: 'g', settingNamespaceId: null }, project: { id: 2, full_path: 'g/p' }, package: { id: 3, format: 'npm', name: 'a', version: '1.0.0', files: [] }, target: { id: 3, type: 'Packages::Package', details: 'a@1.0.0' }, customMessage: 'Deleted' },
    ];
    await db.transaction().execute((tx) => audit.recordBatch(tx, inputs.map((input, i) => ({ ctx: ctx(i), input }))));
    const stored = await listStoredEventsOldestFirst(db, { kind: 'instance' }, {}, { limit: 100, afterId: 0 });
    lines = jsonlFormat.render(stored).trimEnd().split('\n');
    assert.equal(lines.length, inputs.length);
  });

  after(async () => {
    await db?.destroy();
  });

  it('takes every shape the recorder writes as its leaf, with its seq, without parsing it', () => {
    const checker = new RecordChecker(NO_ROOTS);
    lines.forEach((line, i) => {
      const split = splitStoredLine(line, i + 1);
      assert.ok(split, `line ${i + 1} splits`);
      const fast = checker.checkStored(split);
      assert.ok(fast, `line ${i + 1} takes the fast path`);
      const full = checker.check(JSON.parse(line) as Record<string, unknown>) as CheckedRecord;
      assert.equal(full.problem, null);
      assert.deepEqual({ ...fast, hasProof: false }, { ...full, hasProof: false });
      assert.equal(fast.seq, i + 1);
    });
  });

  it('leaves a changed line to the full check, which names the change', () => {
    const checker = new RecordChecker(NO_ROOTS);
    const line = lines[0];
    for (const changed of [line.replace('"1.0.0"', '"1.0.1"'), line.replace('{"actor"', '{ "actor"'), line.replace(/"seq":1,/, '"seq":2,')]) {
      assert.notEqual(changed, line);
      const split = splitStoredLine(changed, 1);
      if (split) assert.equal(checker.checkStored(split), null, changed);
      const full = checker.check(JSON.parse(changed) as Record<string, unknown>);
      assert.ok(!isOtherLine(full));
      if (changed.includes('{ "actor"')) assert.equal(full.problem, null, 'whitespace is not a change of the record');
      else assert.match(full.problem ?? '', changed.includes('"seq":2,') ? /id must equal its seq/ : /leaf hash mismatch/);
    }
  });
});
