import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freshDatabaseUrl, TEST_BACKEND } from '../../../test/support/test-database.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { migrateToLatest, openDatabase, type Db } from '../../storage/db/database.js';
import { AuditLog } from './audit-log.js';
import { INSTANCE_SCOPE } from './audit-scope.js';
import { systemAuditContext, type AuditEventInput } from './audit-types.js';
import { canonicalJson, leafHashOfText } from './seal/canonical-json.js';

// How an event gets its seq (src/storage/db/audit-append.ts): contiguous, in commit order, stored
// in the record its leaf hashes. On PostgreSQL the seq is given inside the COMMIT (migration 034),
// so a writer never waits for another writer's open transaction. Against a real database.

const ctx = systemAuditContext('sequencing test');
const input = (label: string): AuditEventInput => ({
  eventName: 'audit_events_exported',
  scope: INSTANCE_SCOPE,
  target: { id: null, type: 'AuditEvents', details: label },
  // A record that quotes the marker form must come back unchanged.
  customMessage: `event ${label} "pending-seq-00000000-0000-7000-8000-000000000000"`,
  changes: null,
});

describe(`audit event sequencing (${TEST_BACKEND})`, () => {
  let db: Db;
  const audit = new AuditLog({ package_audit_events: 'enabled', package_download_events: 'disabled' });

  before(async () => {
    db = openDatabase({ sqliteFile: join(tempDir('trove-sequencing-unit-'), 'trove.db'), postgresUrl: await freshDatabaseUrl() });
    await migrateToLatest(db);
  });

  after(async () => {
    await db?.destroy();
  });

  async function events() {
    const rows = await db.selectFrom('audit_events').select(['id', 'seq', 'record', 'leaf_hash']).orderBy('id').execute();
    return rows.map((row) => ({ ...row, parsed: JSON.parse(row.record) as { id: number; seq: number; details: { target_details: string; custom_message: string } } }));
  }

  it('stores each event with its seq in its record, the record as canonical JSON, and the leaf hash of that text', async () => {
    await db.transaction().execute(async (tx) => {
      assert.equal(await audit.record(tx, ctx, input('a')), true);
      assert.equal(await audit.recordBatch(tx, [{ ctx, input: input('b') }, { ctx, input: input('c') }]), 2);
    });
    const numbered = await db.transaction().execute((tx) => audit.recordNumbered(tx, ctx, input('d')));
    const stored = await events();
    assert.deepEqual(
      stored.map((e) => [e.id, e.seq, e.parsed.id, e.parsed.seq, e.parsed.details.target_details]),
      [
        [1, 1, 1, 1, 'a'],
        [2, 2, 2, 2, 'b'],
        [3, 3, 3, 3, 'c'],
        [4, 4, 4, 4, 'd'],
      ],
    );
    assert.equal(numbered?.seq, 4);
    for (const e of stored) {
      assert.equal(canonicalJson(e.parsed), e.record);
      assert.equal(e.leaf_hash, leafHashOfText(e.record));
      assert.match(e.parsed.details.custom_message, / "pending-seq-00000000-0000-7000-8000-000000000000"$/);
    }
  });

  it('leaves neither an event nor a gap behind a rolled-back transaction', async () => {
    await assert.rejects(
      db.transaction().execute(async (tx) => {
        await audit.record(tx, ctx, input('rolled back'));
        throw new Error('roll back');
      }),
      /roll back/,
    );
    await db.transaction().execute((tx) => audit.record(tx, ctx, input('e')));
    const stored = await events();
    assert.deepEqual(
      stored.slice(-2).map((e) => [e.seq, e.parsed.details.target_details]),
      [
        [4, 'd'],
        [5, 'e'],
      ],
    );
    if (TEST_BACKEND === 'postgres') assert.equal((await db.selectFrom('audit_events_pending').select('uuid').execute()).length, 0);
  });

  it('numbers events in commit order, and a writer does not wait for an open transaction of another', { skip: TEST_BACKEND !== 'postgres' && 'SQLite runs one transaction at a time' }, async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let written!: () => void;
    const firstWritten = new Promise<void>((resolve) => (written = resolve));
    const first = db.transaction().execute(async (tx) => {
      await audit.record(tx, ctx, input('opened first, committed last'));
      written();
      await gate;
    });
    await firstWritten;
    // With the first transaction still open (its event written), a second records and commits.
    await db.transaction().execute((tx) => audit.record(tx, ctx, input('opened second, committed first')));
    const meanwhile = await events();
    assert.deepEqual(meanwhile.slice(-1).map((e) => [e.seq, e.parsed.details.target_details]), [[6, 'opened second, committed first']]);
    // An export's event takes its seq at once, and does not wait either.
    const numbered = await db.transaction().execute((tx) => audit.recordNumbered(tx, ctx, input('numbered')));
    assert.equal(numbered?.seq, 7);
    release();
    await first;
    const stored = await events();
    assert.deepEqual(
      stored.slice(-3).map((e) => [e.seq, e.parsed.details.target_details]),
      [
        [6, 'opened second, committed first'],
        [7, 'numbered'],
        [8, 'opened first, committed last'],
      ],
    );
    assert.equal(stored.at(-1)!.leaf_hash, leafHashOfText(stored.at(-1)!.record));
  });
});
