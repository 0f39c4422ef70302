import type { LegalHold, PackageLegalHold } from '../../../contracts/legal-holds.js';
import type { Db, Tx } from '../../../storage/db/database.js';
import { isUniqueViolation } from '../../../storage/db/db-errors.js';
import { AccessLevel } from '../../accounts/access-levels.js';
import { projectAccess } from '../../accounts/permissions.js';
import type { Principal } from '../../tokens/principal.js';
import type { Project } from '../../accounts/projects.js';
import type { AuditLog } from '../../audit/audit-log.js';
import { loadProjectScope } from '../../audit/audit-scope.js';
import type { AuditContext, PackageRef } from '../../audit/audit-types.js';
import { nowIso } from '../../clock.js';
import { errors } from '../../errors.js';
import { packageRef, type PackageRow, type PublishedBy } from '../packages.js';
import type { LegalHoldRow } from './legal-hold-guard.js';

// Setting, releasing and listing legal holds (docs/api.md#legal-holds). Owners and administrators
// only (the routes check); each set and release is audited in its own transaction. A release
// deletes the row: the holds in force are the rows, their history is the audit log.

export const MAX_HOLD_REASON = 1000;
export const MAX_HOLD_REFERENCE = 255;

/** What a hold covers: one version, every version of a name (also those published later), or the project. */
export type HoldTarget =
  | { scope: 'version'; pkg: PackageRow }
  | { scope: 'name'; format: string; name: string; normalizedName: string }
  | { scope: 'project' };

export interface HoldTerms {
  reason: string;
  reference: string | null;
}

function targetKey(target: HoldTarget): string {
  if (target.scope === 'version') return `version:${target.pkg.id}`;
  if (target.scope === 'name') return `name:${target.format}:${target.normalizedName}`;
  return 'project';
}

function targetColumns(target: HoldTarget) {
  if (target.scope === 'version') {
    const { pkg } = target;
    return { package_id: pkg.id, format: pkg.format, name: pkg.name, normalized_name: pkg.normalized_name };
  }
  if (target.scope === 'name') return { package_id: null, format: target.format, name: target.name, normalized_name: target.normalizedName };
  return { package_id: null, format: null, name: null, normalized_name: null };
}

function packageOf(target: HoldTarget): PackageRef | null {
  if (target.scope === 'version') return packageRef(target.pkg, []);
  if (target.scope === 'name') return { id: null, format: target.format, name: target.name, version: null, files: [] };
  return null;
}

function targetDetails(project: Project, target: HoldTarget): string {
  if (target.scope === 'version') return `${project.full_path}/${target.pkg.name}-${target.pkg.version}`;
  if (target.scope === 'name') return `${project.full_path}/${target.name}`;
  return project.full_path;
}

function describeTarget(target: HoldTarget): string {
  if (target.scope === 'version') return `${target.pkg.format} package ${target.pkg.name}@${target.pkg.version}`;
  if (target.scope === 'name') return `every version of ${target.format} package ${target.name}`;
  return 'every package of the project';
}

/**
 * Puts `target` under hold, or changes the reason and reference of the hold already on it
 * (`package_legal_hold_set` either way, with before and after).
 */
export async function setHold(db: Db, audit: AuditLog, ctx: AuditContext, project: Project, target: HoldTarget, terms: HoldTerms): Promise<LegalHoldRow> {
  const scope = await loadProjectScope(db, project);
  const key = targetKey(target);
  try {
    return await db.transaction().execute(async (tx) => {
      const existing = await holdOn(tx, project, key);
      const at = nowIso();
      const setBy: PublishedBy = { actor: ctx.actor, via: ctx.via, client: ctx.client, pipeline: ctx.pipeline, at };
      const values = { reason: terms.reason, reference: terms.reference, set_by: JSON.stringify(setBy), set_at: at };
      const row = existing
        ? await tx.updateTable('package_legal_holds').set(values).where('id', '=', existing.id).returningAll().executeTakeFirstOrThrow()
        : await tx
            .insertInto('package_legal_holds')
            .values({ ...values, ...targetColumns(target), project_id: project.id, scope: target.scope, target_key: key })
            .returningAll()
            .executeTakeFirstOrThrow();
      await audit.record(tx, ctx, {
        eventName: 'package_legal_hold_set',
        scope,
        project: { id: project.id, full_path: project.full_path },
        package: packageOf(target),
        target: { id: row.id, type: 'Packages::LegalHold', details: targetDetails(project, target) },
        customMessage: `Legal hold ${existing ? 'changed' : 'set'} on ${describeTarget(target)}${terms.reference ? ` (reference ${terms.reference})` : ''}: ${terms.reason}`,
        changes: {
          scope: { from: existing?.scope ?? null, to: target.scope },
          reason: { from: existing?.reason ?? null, to: terms.reason },
          reference: { from: existing?.reference ?? null, to: terms.reference },
        },
      });
      return row;
    });
  } catch (error) {
    // Two first holds on one target at once: the second loses on the unique target.
    if (isUniqueViolation(error)) throw errors.conflict('The legal hold was changed concurrently; retry');
    throw error;
  }
}

/** Lifts the hold on `target` (`package_legal_hold_released`); 404 when there is none. */
export async function releaseHold(db: Db, audit: AuditLog, ctx: AuditContext, project: Project, target: HoldTarget): Promise<void> {
  const scope = await loadProjectScope(db, project);
  await db.transaction().execute(async (tx) => {
    const hold = await holdOn(tx, project, targetKey(target));
    if (!hold) throw errors.notFound('404 Legal hold Not Found');
    await tx.deleteFrom('package_legal_holds').where('id', '=', hold.id).execute();
    await audit.record(tx, ctx, {
      eventName: 'package_legal_hold_released',
      scope,
      project: { id: project.id, full_path: project.full_path },
      package: packageOf(target),
      target: { id: hold.id, type: 'Packages::LegalHold', details: targetDetails(project, target) },
      customMessage: `Legal hold released on ${describeTarget(target)}${hold.reference ? ` (reference ${hold.reference})` : ''}`,
      changes: {
        scope: { from: hold.scope, to: null },
        reason: { from: hold.reason, to: null },
        reference: { from: hold.reference, to: null },
        set_by: { from: JSON.parse(hold.set_by) as PublishedBy, to: null },
        set_at: { from: hold.set_at, to: null },
      },
    });
  });
}

async function holdOn(tx: Tx, project: Project, key: string): Promise<LegalHoldRow | undefined> {
  return tx.selectFrom('package_legal_holds').selectAll().where('project_id', '=', project.id).where('target_key', '=', key).executeTakeFirst();
}

/** Whether the principal may read a hold's terms in this project: maintainers and above (contracts/legal-holds.ts). */
export async function seesHoldTerms(db: Db, principal: Principal, project: Project): Promise<boolean> {
  return (await projectAccess(db, principal, project)).level >= AccessLevel.maintainer;
}

type ShownTerms = Pick<LegalHold, 'reason' | 'reference' | 'set_by'>;

function termsOf(row: LegalHoldRow, showTerms: boolean): ShownTerms {
  if (!showTerms) return { reason: null, reference: null, set_by: null };
  return { reason: row.reason, reference: row.reference, set_by: JSON.parse(row.set_by) as PublishedBy };
}

/** The holds in force in a project, oldest first, with the version each version hold names. */
export async function holdsOf(db: Db, project: Project, showTerms: boolean): Promise<LegalHold[]> {
  const rows = await db
    .selectFrom('package_legal_holds')
    .leftJoin('packages', 'packages.id', 'package_legal_holds.package_id')
    .selectAll('package_legal_holds')
    .select('packages.version as package_version')
    .where('package_legal_holds.project_id', '=', project.id)
    .orderBy('package_legal_holds.id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    project_id: row.project_id,
    scope: row.scope,
    package_id: row.package_id,
    package_type: row.format,
    package_name: row.name,
    package_version: row.package_version ?? null,
    ...termsOf(row, showTerms),
    set_at: row.set_at,
  }));
}

/** A version's `legal_hold` in the package JSON. */
export function packageHoldToApi(hold: LegalHoldRow | undefined, showTerms: boolean): PackageLegalHold | null {
  if (!hold) return null;
  return { ...termsOf(hold, showTerms), set_at: hold.set_at, scope: hold.scope };
}
