import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freshDatabaseUrl } from '../../../test/support/test-database.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { migrateToLatest, openDatabase, type Db } from '../../storage/db/database.js';
import { INSTANCE_SCOPE } from './audit-scope.js';
import { AuditLog } from './audit-log.js';
import { systemAuditContext, type AuditRecord } from './audit-types.js';
import { AuthenticationFailures, type AuthenticationFailure } from './authentication-failures.js';

// Windows of repeated authentication failures against a real database (SQLite, or PostgreSQL on
// the PostgreSQL run), with a 300 ms window: the end of a window seen by the next failure, the
// background flush, and concurrent failures (several connections on PostgreSQL) counted exactly.

const WINDOW_MS = 300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function failure(prefix: string, ipAddress = '192.0.2.1'): AuthenticationFailure {
  return {
    ctx: { ...systemAuditContext('test'), ipAddress },
    input: {
      eventName: 'authentication_failed',
      outcome: 'failure',
      reason: 'token not found',
      scope: INSTANCE_SCOPE,
      target: { id: null, type: 'Token', details: 'GET /api/v4/user' },
      customMessage: 'Authentication failed: token not found',
      credentialPrefix: prefix,
    },
  };
}

describe('AuthenticationFailures', () => {
  let db: Db;
  let failures: AuthenticationFailures;

  before(async () => {
    db = openDatabase({ sqliteFile: join(tempDir('trove-auth-unit-'), 'trove.db'), postgresUrl: await freshDatabaseUrl() });
    await migrateToLatest(db);
    failures = new AuthenticationFailures(db, new AuditLog({ package_audit_events: 'enabled', package_download_events: 'disabled' }), WINDOW_MS);
  });

  after(async () => {
    await db?.destroy();
  });

  /** The counts of the events recorded for a prefix, oldest first. */
  async function counts(prefix: string): Promise<number[]> {
    const rows = await db.selectFrom('audit_events').select('record').where('event_name', '=', 'authentication_failed').orderBy('id').execute();
    return rows.map((r) => JSON.parse(r.record) as AuditRecord).filter((e) => e.details.credential_prefix === prefix).map((e) => e.details.count!);
  }

  it('records the repeats of an ended window when the next failure comes, and opens a new one', async () => {
    for (let i = 0; i < 4; i++) await failures.record(failure('glpat-NEXT'));
    assert.deepEqual(await counts('glpat-NEXT'), [1]);
    await sleep(WINDOW_MS + 50);
    await failures.record(failure('glpat-NEXT'));
    assert.deepEqual(await counts('glpat-NEXT'), [1, 3, 1]);
  });

  it('records the repeats of ended windows in the background flush and forgets those windows', async () => {
    for (let i = 0; i < 3; i++) await failures.record(failure('glpat-BACK'));
    await failures.record(failure('glpat-BACK', '192.0.2.2'));
    assert.equal(await failures.flush(), 0, 'nothing has ended yet');
    await sleep(WINDOW_MS + 50);
    assert.equal(await failures.flush(), 1, 'one window had repeats');
    assert.deepEqual(await counts('glpat-BACK'), [1, 1, 2]);
    const left = await db.selectFrom('authentication_failure_windows').select('credential_prefix').where('credential_prefix', '=', 'glpat-BACK').execute();
    assert.equal(left.length, 0);
  });

  it('counts concurrent failures exactly once each, and a shutdown flush records them', async () => {
    const slow = new AuthenticationFailures(db, new AuditLog({ package_audit_events: 'enabled', package_download_events: 'disabled' }), 60_000);
    await Promise.all(Array.from({ length: 40 }, () => slow.record(failure('glpat-CONC'))));
    assert.deepEqual(await counts('glpat-CONC'), [1]);
    await slow.flush(true);
    assert.deepEqual(await counts('glpat-CONC'), [1, 39]);
    await slow.record(failure('glpat-CONC'));
    await slow.flush(true);
    assert.deepEqual(await counts('glpat-CONC'), [1, 39, 1], 'the window stays open and counts afresh after a flush');
  });
});
