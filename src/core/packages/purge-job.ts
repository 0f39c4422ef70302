import type { Db } from '../../storage/db/database.js';
import { findProject } from '../accounts/projects.js';
import { systemAuditContext } from '../audit/audit-types.js';
import type { BackgroundJob } from '../jobs/job-scheduler.js';
import { holdsCovering } from './legal-hold/legal-hold-guard.js';
import type { PackageService } from './package-service.js';

// Deletes are soft (PackageWriter.deleteVersion): this job removes for good the versions deleted
// longer ago than the restore window (TROVE_RESTORE_DAYS), as the system actor, one transaction
// and one package_registry_package_purged event per version. A version under a legal hold stays,
// however old its delete. Only after a purge do its files' rows go, and only then may the blob
// collector (blob-gc.ts) reclaim bytes no other file needs.

export const PURGE_JOB_NAME = 'purge-deleted-packages';
/** How often the leader looks for expired deletes (TROVE_JOB_INTERVALS=purge-deleted-packages=... overrides). */
export const PURGE_JOB_INTERVAL_MS = 10 * 60 * 1000;
export const PURGE_ACTOR_NAME = 'Deleted packages purge';
const BATCH = 100;

export function purgeDeletedPackagesJob(db: Db, packages: PackageService, restoreWindowMs: number, intervalMs: number): BackgroundJob {
  return { name: PURGE_JOB_NAME, intervalMs, run: () => purgeExpired(db, packages, restoreWindowMs) };
}

/** Purges every version whose delete is older than the window and that no legal hold covers; says what it did. */
export async function purgeExpired(db: Db, packages: PackageService, restoreWindowMs: number): Promise<string> {
  const cutoff = new Date(Date.now() - restoreWindowMs).toISOString();
  const windowDays = restoreWindowMs / 86_400_000;
  const ctx = systemAuditContext(PURGE_ACTOR_NAME);
  let purged = 0;
  let held = 0;
  const failed: string[] = [];
  let afterId = 0;
  for (;;) {
    const expired = await db
      .selectFrom('packages')
      .selectAll()
      .where('status', '=', 'pending_destruction')
      .where('deleted_at', '<', cutoff)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    if (expired.length === 0) break;
    afterId = expired[expired.length - 1].id;
    const holds = await holdsCovering(db, expired);
    for (const pkg of expired) {
      if (holds.has(pkg.id)) {
        held++;
        continue;
      }
      const project = await findProject(db, pkg.project_id);
      if (!project) continue;
      try {
        await packages.write(ctx, project, async (writer) => {
          // Read again inside the transaction: a restore may have come first.
          const current = await writer.currentVersion(pkg.id);
          if (current?.status !== 'pending_destruction' || current.deleted_at === null || current.deleted_at >= cutoff) return;
          await writer.purgeVersion(current, `${pkg.format} package purged`, `deleted ${current.deleted_at}, restore window of ${windowDays} days over`);
          purged++;
        });
      } catch (error) {
        // One version's failure (a hold set since the check above) does not stop the others; the run says so.
        failed.push(`${project.full_path}/${pkg.name}@${pkg.version}: ${(error as Error).message}`);
      }
    }
    if (expired.length < BATCH) break;
  }
  const kept = held > 0 ? `, kept ${held} under legal hold` : '';
  if (failed.length > 0) throw new Error(`purged ${purged}${kept}; failed: ${failed.join('; ')}`);
  return `purged ${purged} deleted package versions${kept}`;
}
