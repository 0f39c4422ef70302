import type { Db } from '../../storage/db/database.js';
import { findProject } from '../accounts/projects.js';
import type { BackgroundJob } from '../jobs/job-scheduler.js';
import { claimRun, duePolicies } from './cleanup-policy-store.js';
import type { CleanupRunner } from './cleanup-runner.js';

export const CLEANUP_JOB_NAME = 'cleanup-policies';
/** How often the leader looks for due policies (TROVE_JOB_INTERVALS=cleanup-policies=... overrides). */
export const CLEANUP_JOB_INTERVAL_MS = 10 * 60 * 1000;

/**
 * Runs due cleanup policies. The scheduler runs this in the leading process only; each policy is
 * additionally claimed with a compare-and-set of its next_run_at, so even two processes that both
 * believe they lead never run one due policy twice.
 */
export function cleanupPoliciesJob(db: Db, runner: CleanupRunner, intervalMs: number): BackgroundJob {
  return {
    name: CLEANUP_JOB_NAME,
    intervalMs,
    async run() {
      const now = new Date();
      const ran: string[] = [];
      const failed: string[] = [];
      for (const policy of await duePolicies(db, now)) {
        if (!(await claimRun(db, policy, now))) continue; // another process took this run
        const project = await findProject(db, policy.project_id);
        if (!project || policy.id === null) continue;
        try {
          const result = await runner.run({ ...policy, id: policy.id }, project, { dryRun: false, trigger: 'schedule' });
          ran.push(`${project.full_path}: ${result.deleted.length} deleted${result.errors.length ? `, ${result.errors.length} error(s)` : ''}`);
        } catch (error) {
          failed.push(`${project.full_path}: ${(error as Error).message}`);
        }
      }
      if (failed.length > 0) throw new Error(`cleanup policies failed: ${failed.join('; ')}`);
      return ran.length === 0 ? 'no cleanup policy due' : `ran ${ran.length} cleanup policies (${ran.join('; ')})`;
    },
  };
}
