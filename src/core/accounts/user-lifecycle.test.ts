import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freshDatabaseUrl } from '../../../test/support/test-database.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { migrateToLatest, openDatabase, type Db } from '../../storage/db/database.js';
import { AuditLog } from '../audit/audit-log.js';
import { systemAuditContext } from '../audit/audit-types.js';
import { TroveError } from '../errors.js';
import { deleteUser } from './user-deletion.js';
import { setUserBlocked, updateUser } from './user-lifecycle.js';
import { createUser } from './users.js';

// The last active administrator stays, whoever acts: over HTTP an administrator acting on
// themself is refused first (test/e2e/user-lifecycle-audit.e2e.test.ts), so this rule is checked
// here with Trove itself as the actor, against a real database (SQLite, or PostgreSQL on that run).

describe('the last active administrator', () => {
  let db: Db;
  let audit: AuditLog;
  const system = systemAuditContext('test');

  before(async () => {
    db = openDatabase({ sqliteFile: join(tempDir('trove-user-lifecycle-'), 'trove.db'), postgresUrl: await freshDatabaseUrl() });
    await migrateToLatest(db);
    audit = new AuditLog({ package_audit_events: 'enabled', package_download_events: 'disabled' });
  });

  after(async () => {
    await db?.destroy();
  });

  const refusedAsLast = (error: unknown) => error instanceof TroveError && error.statusCode === 409 && /last active administrator/.test(error.message);

  it('cannot be demoted, blocked or deleted; once another administrator is active, it can', async () => {
    const admin = await createUser(db, audit, system, { username: 'only-admin', email: 'only-admin@example.com', isAdmin: true });
    const blockedAdmin = await createUser(db, audit, system, { username: 'blocked-admin', email: 'blocked-admin@example.com', isAdmin: true });
    await setUserBlocked(db, audit, system, null, blockedAdmin.id, true);
    // A blocked administrator does not count.
    await assert.rejects(updateUser(db, audit, system, null, admin.id, { admin: false }), refusedAsLast);
    await assert.rejects(setUserBlocked(db, audit, system, null, admin.id, true), refusedAsLast);
    await assert.rejects(deleteUser(db, audit, system, null, admin.id), refusedAsLast);
    const still = await db.selectFrom('users').select(['is_admin', 'state']).where('id', '=', admin.id).executeTakeFirstOrThrow();
    assert.deepEqual(still, { is_admin: 1, state: 'active' });

    await setUserBlocked(db, audit, system, null, blockedAdmin.id, false);
    const demoted = await updateUser(db, audit, system, null, admin.id, { admin: false });
    assert.equal(demoted.is_admin, 0);
    const events = await db.selectFrom('audit_events').select('event_name').where('entity_id', '=', admin.id).where('entity_type', '=', 'User').orderBy('id').execute();
    assert.deepEqual(events.map((e) => e.event_name), ['user_created', 'user_admin_revoked'], 'refused changes record nothing');
  });
});
