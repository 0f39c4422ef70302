import type { Selectable } from 'kysely';
import type { CleanupPolicy as CleanupPolicyJson } from '../../contracts/cleanup.js';
import type { Db } from '../../storage/db/database.js';
import { isUniqueViolation } from '../../storage/db/db-errors.js';
import type { PackageCleanupPoliciesTable } from '../../storage/db/schema.js';
import type { Project } from '../accounts/projects.js';
import type { AuditLog } from '../audit/audit-log.js';
import { loadProjectScope } from '../audit/audit-scope.js';
import type { AuditContext } from '../audit/audit-types.js';
import { nowIso } from '../clock.js';
import { errors } from '../errors.js';
import { applyUpdate, DEFAULT_SETTINGS, settingChanges, type Cadence, type CleanupPolicy, type CleanupPolicySettings, type UpdateOptions } from './cleanup-policy.js';
import { claimPolicyRun, duePolicyRows } from './scheduled-policies.js';

// Reading, saving (audited) and claiming cleanup policies.

type PolicyRow = Selectable<PackageCleanupPoliciesTable>;

function fromRow(row: PolicyRow): CleanupPolicy {
  return {
    id: row.id,
    project_id: row.project_id,
    enabled: row.enabled === 1,
    cadence: row.cadence as Cadence,
    keep_n_versions: row.keep_n_versions,
    older_than_days: row.older_than_days,
    name_regex: row.name_regex,
    name_regex_keep: row.name_regex_keep,
    version_regex_keep: row.version_regex_keep,
    next_run_at: row.next_run_at,
  };
}

function settingsOf(policy: CleanupPolicy): CleanupPolicySettings {
  const { id: _id, project_id: _project, ...settings } = policy;
  return settings;
}

/** The project's saved policy, or the defaults (disabled, no rules) with id null. */
export async function policyOf(db: Db, project: Project): Promise<CleanupPolicy> {
  const row = await db.selectFrom('package_cleanup_policies').selectAll().where('project_id', '=', project.id).executeTakeFirst();
  return row ? fromRow(row) : { id: null, project_id: project.id, ...DEFAULT_SETTINGS };
}

export function policyToApi(policy: CleanupPolicy): CleanupPolicyJson {
  return { id: policy.id, project_id: policy.project_id, ...settingsOf(policy) };
}

/**
 * Applies a PUT body and records package_registry_cleanup_policy_updated with before/after in
 * the same transaction. That event name is not a package event, so it is recorded whatever the
 * package_audit_events setting says. A body that changes nothing records nothing.
 */
export async function updatePolicy(
  db: Db,
  audit: AuditLog,
  ctx: AuditContext,
  project: Project,
  body: Record<string, unknown>,
  options: Omit<UpdateOptions, 'now'>,
): Promise<CleanupPolicy> {
  const scope = await loadProjectScope(db, project);
  try {
    return await db.transaction().execute(async (tx) => {
      const current = await policyOf(tx, project);
      const next = applyUpdate(settingsOf(current), body, { ...options, now: new Date() });
      const changes = settingChanges(settingsOf(current), next);
      if (Object.keys(changes).length === 0) return current;
      const at = nowIso();
      const values = { ...next, enabled: next.enabled ? 1 : 0, updated_at: at };
      const row =
        current.id === null
          ? await tx.insertInto('package_cleanup_policies').values({ ...values, project_id: project.id, created_at: at }).returningAll().executeTakeFirstOrThrow()
          : await tx.updateTable('package_cleanup_policies').set(values).where('id', '=', current.id).returningAll().executeTakeFirstOrThrow();
      await audit.record(tx, ctx, {
        eventName: 'package_registry_cleanup_policy_updated',
        scope,
        project: { id: project.id, full_path: project.full_path },
        target: { id: row.id, type: 'Packages::Cleanup::Policy', details: project.full_path },
        customMessage: `Packages cleanup policy changed: ${Object.entries(changes)
          .map(([key, change]) => `${key} ${JSON.stringify(change.from)} -> ${JSON.stringify(change.to)}`)
          .join(', ')}`,
        changes,
      });
      return fromRow(row);
    });
  } catch (error) {
    // Two first saves of one project at once: the second loses on the unique project_id.
    if (isUniqueViolation(error)) throw errors.conflict('The cleanup policy was changed concurrently; retry');
    throw error;
  }
}

/** Enabled policies whose next_run_at has passed, oldest first. */
export async function duePolicies(db: Db, now: Date, limit = 100): Promise<CleanupPolicy[]> {
  return (await duePolicyRows(db, 'package_cleanup_policies', now, limit)).map(fromRow);
}

/** Claims one due run (scheduled-policies.ts): true for the one process that got it. */
export function claimRun(db: Db, policy: CleanupPolicy, now: Date): Promise<boolean> {
  return claimPolicyRun(db, 'package_cleanup_policies', policy, now);
}
