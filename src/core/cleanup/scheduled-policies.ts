import type { Selectable } from 'kysely';
import type { Db } from '../../storage/db/database.js';
import type { Database } from '../../storage/db/schema.js';
import { nextRunAfter, type Cadence } from './cleanup-policy.js';

// Per-project policies that the scheduler runs on their cadence: the packages cleanup policy and
// the container expiration policy. Their tables share the scheduling columns (enabled, cadence,
// next_run_at), and finding and claiming a due run is the same for both.

export type ScheduledPolicyTable = 'package_cleanup_policies' | 'container_expiration_policies';

/** Enabled policies of `table` whose next_run_at has passed, oldest first. */
export async function duePolicyRows<T extends ScheduledPolicyTable>(db: Db, table: T, now: Date, limit: number): Promise<Selectable<Database[T]>[]> {
  const rows = await db
    .selectFrom(table as ScheduledPolicyTable)
    .selectAll()
    .where('enabled', '=', 1)
    .where('next_run_at', '<=', now.toISOString())
    .orderBy('next_run_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows as Selectable<Database[T]>[];
}

/**
 * Claims one due run: advances next_run_at by the cadence (from now, so a long outage does not
 * cause a burst of catch-up runs) only if it still holds the value we read. Of several processes
 * that read the same due policy, exactly one sees its UPDATE change a row.
 */
export async function claimPolicyRun(db: Db, table: ScheduledPolicyTable, policy: { id: number | null; cadence: Cadence; next_run_at: string | null }, now: Date): Promise<boolean> {
  if (policy.id === null || policy.next_run_at === null) return false;
  const result = await db
    .updateTable(table)
    .set({ next_run_at: nextRunAfter(policy.cadence, now) })
    .where('id', '=', policy.id)
    .where('enabled', '=', 1)
    .where('next_run_at', '=', policy.next_run_at)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
