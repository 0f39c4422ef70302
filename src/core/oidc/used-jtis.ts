import type { Db } from '../../storage/db/database.js';
import type { BackgroundJob } from '../jobs/job-scheduler.js';
import { CLOCK_LEEWAY_SECONDS } from './id-token-claims.js';
import type { VerifiedIdToken } from './id-token-verifier.js';

// Each ID token is exchanged at most once: its (issuer, jti) is recorded in the exchange's own
// transaction, so two concurrent exchanges of one token cannot both succeed (the primary key decides).

/**
 * Records the jti as used inside the caller's transaction; false when it was used before.
 * A token without jti cannot be recognised again and is accepted (true).
 */
export async function consumeJti(trx: Db, token: VerifiedIdToken): Promise<boolean> {
  if (token.jti === null) return true;
  // Kept while the token could still pass the expiry check.
  const keepUntil = new Date(token.expiresAt.getTime() + CLOCK_LEEWAY_SECONDS * 1000).toISOString();
  // ON CONFLICT DO NOTHING rather than catching the violation: on PostgreSQL an error would abort the caller's transaction.
  const inserted = await trx
    .insertInto('oidc_used_jtis')
    .values({ issuer: token.issuer, jti: token.jti, expires_at: keepUntil, used_at: new Date().toISOString() })
    .onConflict((conflict) => conflict.columns(['issuer', 'jti']).doNothing())
    .returning('jti')
    .executeTakeFirst();
  return inserted !== undefined;
}

export const USED_JTI_PURGE_JOB_NAME = 'purge-expired-oidc-jtis';
export const USED_JTI_PURGE_INTERVAL_MS = 60 * 60 * 1000;

/** A used jti is needed only until its token expires: then the token itself is refused. */
export function usedJtiPurgeJob(db: Db, intervalMs: number): BackgroundJob {
  return {
    name: USED_JTI_PURGE_JOB_NAME,
    intervalMs,
    async run() {
      const cutoff = new Date().toISOString();
      const result = await db.deleteFrom('oidc_used_jtis').where('expires_at', '<', cutoff).executeTakeFirst();
      return `purged ${Number(result.numDeletedRows)} used OIDC token ids that expired before ${cutoff}`;
    },
  };
}
