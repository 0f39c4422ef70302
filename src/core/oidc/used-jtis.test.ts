import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freshDatabaseUrl } from '../../../test/support/test-database.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { migrateToLatest, openDatabase, type Db } from '../../storage/db/database.js';
import type { VerifiedIdToken } from './id-token-verifier.js';
import { consumeJti, usedJtiPurgeJob } from './used-jtis.js';

// Single use of ID tokens against a real database (SQLite, or PostgreSQL on that run).

const token = (jti: string | null, issuer = 'https://gitlab.example.com', expiresInMs = 300_000): VerifiedIdToken => ({
  issuer,
  subject: 'project_path:acme/app:ref_type:branch:ref:main',
  audiences: ['https://trove.example.com'],
  jti,
  issuedAt: new Date(),
  expiresAt: new Date(Date.now() + expiresInMs),
  claims: {},
});

describe('consumeJti', () => {
  let db: Db;

  before(async () => {
    db = openDatabase({ sqliteFile: join(tempDir('trove-oidc-jti-'), 'trove.db'), postgresUrl: await freshDatabaseUrl() });
    await migrateToLatest(db);
  });

  after(async () => {
    await db?.destroy();
  });

  it('accepts a jti once per issuer, inside the caller transaction, which a conflict does not abort', async () => {
    const first = await db.transaction().execute(async (trx) => consumeJti(trx, token('jti-1')));
    assert.equal(first, true);
    const replay = await db.transaction().execute(async (trx) => {
      const again = await consumeJti(trx, token('jti-1'));
      // The transaction is still usable after the conflict (PostgreSQL aborts it on an error).
      const otherIssuer = await consumeJti(trx, token('jti-1', 'https://token.actions.githubusercontent.com'));
      return { again, otherIssuer };
    });
    assert.deepEqual(replay, { again: false, otherIssuer: true });
    const rolledBack = await db
      .transaction()
      .execute(async (trx) => {
        await consumeJti(trx, token('jti-2'));
        throw new Error('the exchange failed later');
      })
      .catch(() => null);
    assert.equal(rolledBack, null);
    assert.equal(await consumeJti(db, token('jti-2')), true, 'a rolled-back exchange did not use the jti');
  });

  it('accepts tokens without jti (they cannot be told apart)', async () => {
    assert.equal(await consumeJti(db, token(null)), true);
    assert.equal(await consumeJti(db, token(null)), true);
  });

  it('purges jtis whose tokens can no longer be accepted', async () => {
    await consumeJti(db, token('long-gone', 'https://gitlab.example.com', -120_000));
    await consumeJti(db, token('still-valid'));
    const detail = await usedJtiPurgeJob(db, 60_000).run();
    assert.match(String(detail), /^purged 1 /);
    const left = await db.selectFrom('oidc_used_jtis').select('jti').execute();
    assert.ok(left.some((row) => row.jti === 'still-valid'));
    assert.ok(!left.some((row) => row.jti === 'long-gone'));
  });
});
