import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freshDatabaseUrl } from '../../../test/support/test-database.js';
import { migrateToLatest, openDatabase, type Db } from '../../storage/db/database.js';
import { createUser, type User } from '../accounts/users.js';
import { AuditLog } from '../audit/audit-log.js';
import { systemAuditContext } from '../audit/audit-types.js';
import { createPersonalAccessToken, revokePersonalAccessToken } from '../tokens/personal-access-tokens.js';
import { tokenDigest } from '../tokens/token-secrets.js';
import { createWebSession, csrfTokenFor, csrfTokenMatches, deleteWebSession, principalOfSession } from './web-sessions.js';
import { tempDir } from '../../../test/support/temp-dir.js';

// Web sessions against a real database (SQLite, or PostgreSQL on that run): stored hashed, expire,
// end with their user or sign-in token, and carry a CSRF token only the cookie's holder can derive.

describe('web sessions', () => {
  let db: Db;
  let audit: AuditLog;
  let n = 0;
  const HOUR = 3_600_000;

  before(async () => {
    db = openDatabase({ sqliteFile: join(tempDir('trove-sessions-unit-'), 'trove.db'), postgresUrl: await freshDatabaseUrl() });
    await migrateToLatest(db);
    audit = new AuditLog({ package_audit_events: 'enabled', package_download_events: 'disabled' });
  });

  after(async () => {
    await db?.destroy();
  });

  const user = (): Promise<User> => createUser(db, audit, systemAuditContext('test'), { username: `u${++n}`, email: `u${n}@example.com` });

  it('stores only the digest of the secret and resolves a password session with every scope', async () => {
    const alice = await user();
    const session = await createWebSession(db, alice, null, HOUR);
    const rows = await db.selectFrom('web_sessions').selectAll().where('user_id', '=', alice.id).execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0].session_digest, tokenDigest(session.secret));
    assert.ok(!JSON.stringify(rows).includes(session.secret));
    const resolved = await principalOfSession(db, session.secret);
    assert.ok(resolved?.principal.kind === 'user' && resolved.principal.token === null);
    assert.equal(resolved.principal.user.id, alice.id);
  });

  it('expires, and ends at sign-out', async () => {
    const bob = await user();
    const short = await createWebSession(db, bob, null, 1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(await principalOfSession(db, short.secret), null);
    const session = await createWebSession(db, bob, null, HOUR);
    await deleteWebSession(db, session.secret);
    assert.equal(await principalOfSession(db, session.secret), null);
  });

  it('ends when its user is blocked', async () => {
    const carol = await user();
    const session = await createWebSession(db, carol, null, HOUR);
    await db.updateTable('users').set({ state: 'blocked' }).where('id', '=', carol.id).execute();
    assert.equal(await principalOfSession(db, session.secret), null);
  });

  it('acts with the sign-in token and ends when it is revoked', async () => {
    const dave = await user();
    const { token } = await createPersonalAccessToken(db, audit, systemAuditContext('test'), dave, { name: 'laptop', scopes: ['read_api'] });
    const session = await createWebSession(db, dave, token, HOUR);
    const resolved = await principalOfSession(db, session.secret);
    assert.ok(resolved?.principal.kind === 'user' && resolved.principal.token?.id === token.id);
    assert.deepEqual(resolved.principal.scopes, ['read_api']);
    await revokePersonalAccessToken(db, audit, systemAuditContext('test'), token, dave);
    assert.equal(await principalOfSession(db, session.secret), null);
  });

  it('accepts only its own CSRF token, and refuses secrets that are not session secrets', async () => {
    const erin = await user();
    const a = await createWebSession(db, erin, null, HOUR);
    const b = await createWebSession(db, erin, null, HOUR);
    assert.ok(csrfTokenMatches(a.secret, a.csrfToken));
    assert.equal(a.csrfToken, csrfTokenFor(a.secret));
    assert.ok(!csrfTokenMatches(a.secret, b.csrfToken));
    assert.ok(!csrfTokenMatches(a.secret, ''));
    assert.equal(await principalOfSession(db, 'glpat-not-a-session'), null);
  });
});
