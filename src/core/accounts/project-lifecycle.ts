import { assertProjectPathMayChange } from './container-images-guard.js';
import { assertProjectTagsDeletable } from '../../container-registry/governance/tag-rules.js';
import type { Db, Tx } from '../../storage/db/database.js';
import { getRow } from '../../storage/db/row-lookup.js';
import type { AuditedBy } from '../audit/audit-log.js';
import { projectSubject } from '../audit/audit-scope.js';
import type { Changes } from '../audit/audit-types.js';
import type { AuditEventName } from '../audit/event-catalog.js';
import { nowIso } from '../clock.js';
import { errors } from '../errors.js';
import { assertProjectNotHeld } from '../packages/legal-hold/legal-hold-guard.js';
import type { PackageService } from '../packages/package-service.js';
import type { Visibility } from './access-levels.js';
import { assertVisibility, fullPathTaken, type Namespace } from './namespaces.js';
import { assertValidName, assertValidPath } from './paths.js';
import { applyNamePathChanges, parseNamePathChanges, type NamePathChanges, type NamePathFields } from './name-path-changes.js';
import type { Project } from './projects.js';
import { removeAccessTo } from './removed-access.js';
import { assertAllowedInParent } from './visibility-limits.js';

// A project's life: created, renamed or moved to another path, made more or less visible,
// transferred to another namespace, deleted with its packages. Its events are stored where its
// package events are (docs/architecture.md#scope-and-visibility: the parent group, or the project itself in a user namespace), in
// the transaction that makes the change.

export interface NewProject {
  name?: string;
  path?: string;
  namespace: Namespace;
  visibility?: Visibility;
  description?: string;
}

const PATH_TAKEN = 'Failed to save project {:path=>["has already been taken"]}';

async function recordProjectEvent(tx: Tx, by: AuditedBy, project: Project, eventName: Extract<AuditEventName, `project_${string}`>, message: string, changes: Changes | null): Promise<void> {
  const namespace = await getRow(tx, 'namespaces', { id: project.namespace_id });
  await by.audit.record(tx, by.ctx, {
    eventName,
    ...projectSubject(project, namespace),
    target: { id: project.id, type: 'Project', details: project.full_path },
    customMessage: message,
    changes,
  });
}

export async function createProject(db: Db, by: AuditedBy, input: NewProject): Promise<Project> {
  const path = assertValidPath(input.path ?? input.name, 'path');
  const name = assertValidName(input.name ?? path, 'name');
  const visibility = assertVisibility(input.visibility);
  const fullPath = `${input.namespace.full_path}/${path}`;
  return db.transaction().execute(async (tx) => {
    if (await fullPathTaken(tx, fullPath)) throw errors.badRequest(PATH_TAKEN);
    assertAllowedInParent(visibility, await getRow(tx, 'namespaces', { id: input.namespace.id }));
    const project = await tx
      .insertInto('projects')
      .values({
        namespace_id: input.namespace.id,
        name,
        path,
        full_path: fullPath,
        visibility,
        description: input.description ?? '',
        created_at: nowIso(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordProjectEvent(tx, by, project, 'project_created', `Created project ${project.full_path}`, {
      full_path: { from: null, to: project.full_path },
      visibility: { from: null, to: project.visibility },
    });
    return project;
  });
}

/** Changes name, path, description or visibility: `project_updated` with the changed fields, and `project_visibility_changed`. */
export async function updateProject(db: Db, by: AuditedBy, project: Project, input: NamePathChanges): Promise<Project> {
  const given = parseNamePathChanges(input);
  return db.transaction().execute(async (tx) => {
    const before = await getRow(tx, 'projects', { id: project.id });
    const { next, changes } = applyNamePathChanges(before as NamePathFields, given);
    const namespace = await getRow(tx, 'namespaces', { id: before.namespace_id });
    if (next.visibility !== before.visibility) assertAllowedInParent(next.visibility, namespace);
    const fullPath = `${namespace.full_path}/${next.path}`;
    if (fullPath !== before.full_path) {
      if (await fullPathTaken(tx, fullPath, { table: 'projects', id: before.id })) throw errors.badRequest(PATH_TAKEN);
      await assertProjectPathMayChange(tx, before.id, 'renamed');
      changes.full_path = { from: before.full_path, to: fullPath };
    }
    const after = await tx
      .updateTable('projects')
      .set({ ...next, full_path: fullPath })
      .where('id', '=', before.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (Object.keys(changes).length > 0) {
      await recordProjectEvent(tx, by, after, 'project_updated', `Changed project ${after.full_path}: ${Object.keys(changes).join(', ')}`, changes);
    }
    if (before.visibility !== after.visibility) {
      await recordProjectEvent(tx, by, after, 'project_visibility_changed', `Changed visibility of project ${after.full_path} from ${before.visibility} to ${after.visibility}`, {
        visibility: { from: before.visibility, to: after.visibility },
      });
    }
    return after;
  });
}

/**
 * Moves a project into another namespace: `project_transferred`, recorded in the scope it leaves
 * (the events it records from then on, and the package_audit_events setting that governs them,
 * are the new namespace's). The caller checked its rights on both sides.
 */
export async function transferProject(db: Db, by: AuditedBy, project: Project, target: Namespace): Promise<Project> {
  return db.transaction().execute(async (tx) => {
    const before = await getRow(tx, 'projects', { id: project.id });
    if (before.namespace_id === target.id) throw errors.badRequest('Project is already in this namespace');
    const targetNamespace = await getRow(tx, 'namespaces', { id: target.id });
    assertAllowedInParent(before.visibility, targetNamespace);
    const fullPath = `${targetNamespace.full_path}/${before.path}`;
    if (await fullPathTaken(tx, fullPath, { table: 'projects', id: before.id })) {
      throw errors.badRequest('Project cannot be transferred, because a project or group with the same path exists in the target namespace');
    }
    await assertProjectPathMayChange(tx, before.id, 'transferred');
    const after = await tx
      .updateTable('projects')
      .set({ namespace_id: target.id, full_path: fullPath })
      .where('id', '=', before.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordProjectEvent(tx, by, before, 'project_transferred', `Transferred project ${before.full_path} to ${after.full_path}`, {
      full_path: { from: before.full_path, to: after.full_path },
      namespace_id: { from: before.namespace_id, to: after.namespace_id },
    });
    return after;
  });
}

/** Deletes a project with its packages (deleted and purged events for each) and then `project_deleted`, in one transaction. */
export async function deleteProject(db: Db, by: AuditedBy, packages: PackageService, project: Project): Promise<void> {
  await db.transaction().execute((tx) => deleteProjectIn(tx, by, packages, project));
}

/**
 * The same in the caller's transaction (a group deletion): every version through the package
 * service, then the project's tokens, members and cleanup policy, and the project itself.
 */
export async function deleteProjectIn(tx: Tx, by: AuditedBy, packages: PackageService, stale: Project): Promise<void> {
  const project = await getRow(tx, 'projects', { id: stale.id });
  await assertProjectNotHeld(tx, project);
  await assertProjectTagsDeletable(tx, by.ctx.actor, project);
  const versions = await tx.selectFrom('packages').selectAll().where('project_id', '=', project.id).orderBy('id').execute();
  if (versions.length > 0) {
    await packages.writeIn(tx, by.ctx, project, async (writer) => {
      // A project's deletion is not soft: its versions are deleted and purged at once (nothing to restore into).
      for (const pkg of versions) {
        const message = `${pkg.format} package deleted with project ${project.full_path}`;
        if (pkg.status !== 'pending_destruction') await writer.deleteVersion(pkg, message);
        await writer.purgeVersion((await writer.currentVersion(pkg.id))!, `${pkg.format} package purged with project ${project.full_path}`);
      }
    });
  }
  await tx.deleteFrom('package_cleanup_policies').where('project_id', '=', project.id).execute();
  await tx.deleteFrom('job_tokens').where('project_id', '=', project.id).execute();
  const removed = await removeAccessTo(tx, { type: 'project', id: project.id });
  await recordProjectEvent(tx, by, project, 'project_deleted', `Deleted project ${project.full_path}`, removed);
  await tx.deleteFrom('projects').where('id', '=', project.id).execute();
}
