import type { Db } from '../../storage/db/database.js';
import type { BackgroundJob } from '../jobs/job-scheduler.js';

/** Expired CI job tokens are kept a week (to say "expired" rather than "unknown" in audit events), then purged. */
const KEEP_AFTER_EXPIRY_MS = 7 * 24 * 60 * 60 * 1000;

export function jobTokenPurgeJob(db: Db, intervalMs: number): BackgroundJob {
  return {
    name: 'purge-expired-job-tokens',
    intervalMs,
    async run() {
      const cutoff = new Date(Date.now() - KEEP_AFTER_EXPIRY_MS).toISOString();
      const result = await db.deleteFrom('job_tokens').where('expires_at', '<', cutoff).executeTakeFirst();
      return `purged ${Number(result.numDeletedRows)} job tokens that expired before ${cutoff}`;
    },
  };
}
