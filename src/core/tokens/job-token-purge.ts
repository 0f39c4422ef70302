import type { Db } from '../../storage/db/database.js';
import type { BackgroundJob } from '../jobs/job-scheduler.js';

/** Expired CI job tokens are kept a week (to say "expired" rather than "unknown" in audit events), then purged. */
const KEEP_AFTER_EXPIRY_MS = 7 * 24 * 60 * 60 * 1000;

/** Tokens minted from OIDC ID tokens live 15 minutes; a day later nobody presents them any more. */
const OIDC_KEEP_AFTER_EXPIRY_MS = 24 * 60 * 60 * 1000;

/** A job that deletes the rows of a short-lived token table some time after they expired. */
function expiredTokenPurgeJob(db: Db, table: 'job_tokens' | 'oidc_tokens', what: string, keepAfterExpiryMs: number, name: string, intervalMs: number): BackgroundJob {
  return {
    name,
    intervalMs,
    async run() {
      const cutoff = new Date(Date.now() - keepAfterExpiryMs).toISOString();
      const result = await db.deleteFrom(table).where('expires_at', '<', cutoff).executeTakeFirst();
      return `purged ${Number(result.numDeletedRows)} ${what} that expired before ${cutoff}`;
    },
  };
}

export function jobTokenPurgeJob(db: Db, intervalMs: number): BackgroundJob {
  return expiredTokenPurgeJob(db, 'job_tokens', 'job tokens', KEEP_AFTER_EXPIRY_MS, 'purge-expired-job-tokens', intervalMs);
}

export const OIDC_TOKEN_PURGE_JOB_NAME = 'purge-expired-oidc-tokens';

export function oidcTokenPurgeJob(db: Db, intervalMs: number): BackgroundJob {
  return expiredTokenPurgeJob(db, 'oidc_tokens', 'OIDC tokens', OIDC_KEEP_AFTER_EXPIRY_MS, OIDC_TOKEN_PURGE_JOB_NAME, intervalMs);
}
