import { assertGroupPathMayChange } from './container-images-guard.js';
import type { Db, Tx } from '../../storage/db/database.js';
import { getRow } from '../../storage/db/row-lookup.js';
import type { AuditedBy } from '../audit/audit-log.js';
import { groupSubject } from '../audit/audit-scope.js';
import type { Changes } from '../audit/audit-types.js';
import type { AuditEventName } from '../audit/event-catalog.js';
import { deleteDestinationIn } from '../audit/streaming/destination-store.js';
import { nowIso } from '../clock.js';
import { errors } from '../errors.js';
import type { PackageService } from '../packages/package-service.js';
import { AccessLevel, type Visibility } from './access-levels.js';
import { insertMember } from './members.js';
import { assertVisibility, fullPathAtOrBelow, fullPathTaken, moveFullPaths, type Namespace } from './namespaces.js';
import { assertValidName, assertValidPath } from './paths.js';
import { applyNamePathChanges, parseNamePathChanges, type NamePathChanges, type NamePathFields } from './name-path-changes.js';
import { deleteProjectIn } from './project-lifecycle.js';
import { removeAccessTo } from './removed-access.js';
import type { User } from './users.js';
import { assertAllowedInParent, assertNoChildAbove } from './visibility-limits.js';

// A group's life: created (its creator becomes its owner), renamed or moved to another path,
// made more or less visible, transferred under another parent, deleted with everything in it.
// Each change records its events (docs/architecture.md#what-is-recorded) on the group, in the transaction that makes it.

export interface NewGroup {
  name: string;
  path: string;
  parentId: number | null;
  visibility?: Visibility;
  description?: string;
}

const PATH_TAKEN = 'Failed to save group {:path=>["has already been taken"]}';

async function recordGroupEvent(tx: Tx, by: AuditedBy, group: Namespace, eventName: Extract<AuditEventName, `group_${string}`>, message: string, changes: Changes | null): Promise<void> {
  await by.audit.record(tx, by.ctx, {
    eventName,
    ...groupSubject(group),
    target: { id: group.id, type: 'Group', details: group.full_path },
    customMessage: message,
    changes,
  });
}

/** Creates a group (`group_created`); `creator` becomes its owner (`member_added`), in the same transaction. */
export async function createGroup(db: Db, by: AuditedBy, input: NewGroup, creator: User | null = null): Promise<Namespace> {
  const name = assertValidName(input.name, 'name');
  const path = assertValidPath(input.path, 'path');
  const visibility = assertVisibility(input.visibility);
  return db.transaction().execute(async (tx) => {
    let fullPath = path;
    if (input.parentId !== null) {
      const parent = await tx.selectFrom('namespaces').selectAll().where('id', '=', input.parentId).executeTakeFirst();
      if (!parent || parent.kind !== 'group') throw errors.notFound('404 Parent Group Not Found');
      assertAllowedInParent(visibility, parent);
      fullPath = `${parent.full_path}/${path}`;
    }
    if (await fullPathTaken(tx, fullPath)) throw errors.badRequest(PATH_TAKEN);
    const group = await tx
      .insertInto('namespaces')
      .values({
        kind: 'group',
        name,
        path,
        full_path: fullPath,
        parent_id: input.parentId,
        owner_user_id: null,
        visibility,
        description: input.description ?? '',
        package_audit_events: 'inherit',
        package_download_events: 'inherit',
        created_at: nowIso(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordGroupEvent(tx, by, group, 'group_created', `Created group ${group.full_path}`, {
      full_path: { from: null, to: group.full_path },
      visibility: { from: null, to: group.visibility },
    });
    if (creator) await insertMember(tx, by, { type: 'namespace', id: group.id }, creator, { accessLevel: AccessLevel.owner, expiresAt: null });
    return group;
  });
}

/**
 * Changes a group's name, path, description or visibility: `group_updated` with the changed fields
 * (a path change moves the full path of every group and project below), and
 * `group_visibility_changed` for the visibility.
 */
export async function updateGroup(db: Db, by: AuditedBy, group: Namespace, input: NamePathChanges): Promise<Namespace> {
  const given = parseNamePathChanges(input);
  return db.transaction().execute(async (tx) => {
    const before = await getRow(tx, 'namespaces', { id: group.id });
    const { next, changes } = applyNamePathChanges(before as NamePathFields, given);
    if (next.visibility !== before.visibility) {
      assertAllowedInParent(next.visibility, before.parent_id === null ? null : await getRow(tx, 'namespaces', { id: before.parent_id }));
      await assertNoChildAbove(tx, before, next.visibility);
    }
    const fullPath = before.parent_id === null ? next.path : `${before.full_path.slice(0, before.full_path.lastIndexOf('/'))}/${next.path}`;
    if (fullPath !== before.full_path) {
      if (await fullPathTaken(tx, fullPath, { table: 'namespaces', id: before.id })) throw errors.badRequest(PATH_TAKEN);
      await assertGroupPathMayChange(tx, before.full_path, 'renamed');
      changes.full_path = { from: before.full_path, to: fullPath };
      await moveFullPaths(tx, before.full_path, fullPath);
    }
    const after = await tx
      .updateTable('namespaces')
      .set({ name: next.name, path: next.path, description: next.description, visibility: next.visibility })
      .where('id', '=', before.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (Object.keys(changes).length > 0) {
      await recordGroupEvent(tx, by, after, 'group_updated', `Changed group ${after.full_path}: ${Object.keys(changes).join(', ')}`, changes);
    }
    if (before.visibility !== after.visibility) {
      await recordGroupEvent(tx, by, after, 'group_visibility_changed', `Changed visibility of group ${after.full_path} from ${before.visibility} to ${after.visibility}`, {
        visibility: { from: before.visibility, to: after.visibility },
      });
    }
    return after;
  });
}

/**
 * Moves a group under `target` (null: to the top level), with everything below it:
 * `group_transferred` with the full path and parent before and after. The caller checked that it
 * owns the group and the target.
 */
export async function transferGroup(db: Db, by: AuditedBy, group: Namespace, target: Namespace | null): Promise<Namespace> {
  return db.transaction().execute(async (tx) => {
    const before = await getRow(tx, 'namespaces', { id: group.id });
    if (target === null && before.parent_id === null) throw errors.badRequest('Transfer failed: group is already a top-level group');
    if (target !== null) {
      if (target.kind !== 'group') throw errors.notFound('404 Group Not Found');
      if (target.id === before.parent_id) throw errors.badRequest('Transfer failed: group is already associated to the parent group');
      const inside = await tx.selectFrom('namespaces').select('id').where('id', '=', target.id).where(fullPathAtOrBelow('full_path', before.full_path)).executeTakeFirst();
      if (inside) throw errors.badRequest('Transfer failed: cannot transfer a group to itself or one of its subgroups');
      // Streaming destinations live on top-level groups only: below another group this one's would silently stop.
      const streams = before.parent_id === null && (await tx.selectFrom('audit_stream_destinations').select('id').where('namespace_id', '=', before.id).executeTakeFirst());
      if (streams) throw errors.badRequest('Transfer failed: the group has audit event streaming destinations, which only top-level groups can have; delete them first');
    }
    const targetGroup = target === null ? null : await getRow(tx, 'namespaces', { id: target.id });
    assertAllowedInParent(before.visibility, targetGroup);
    const fullPath = targetGroup === null ? before.path : `${targetGroup.full_path}/${before.path}`;
    if (await fullPathTaken(tx, fullPath, { table: 'namespaces', id: before.id })) {
      throw errors.badRequest('Transfer failed: the parent group already has a subgroup or a project with the same path');
    }
    await assertGroupPathMayChange(tx, before.full_path, 'transferred');
    await moveFullPaths(tx, before.full_path, fullPath);
    const after = await tx
      .updateTable('namespaces')
      .set({ parent_id: target?.id ?? null })
      .where('id', '=', before.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordGroupEvent(tx, by, after, 'group_transferred', `Transferred group ${before.full_path} to ${after.full_path}`, {
      full_path: { from: before.full_path, to: after.full_path },
      parent_id: { from: before.parent_id, to: after.parent_id },
    });
    return after;
  });
}

/**
 * Deletes a group with its subgroups and projects, in one transaction: every package version
 * through the package service (one `package_registry_package_deleted` each), then
 * `project_deleted` for each project and `group_deleted` for each group, deepest first. The
 * groups' deploy tokens, members and streaming destinations go with them; blobs are left to the
 * blob collector, as after any package deletion.
 */
export async function deleteGroup(db: Db, by: AuditedBy, packages: PackageService, group: Namespace): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const root = await getRow(tx, 'namespaces', { id: group.id });
    const subtree = await tx.selectFrom('namespaces').selectAll().where(fullPathAtOrBelow('full_path', root.full_path)).execute();
    const deepestFirst = subtree.sort((a, b) => b.full_path.split('/').length - a.full_path.split('/').length || b.id - a.id);
    const ids = subtree.map((ns) => ns.id);
    const projects = await tx.selectFrom('projects').selectAll().where('namespace_id', 'in', ids).orderBy('id').execute();
    for (const project of projects) await deleteProjectIn(tx, by, packages, project);
    for (const ns of deepestFirst) {
      const destinations = await tx.selectFrom('audit_stream_destinations').selectAll().where('namespace_id', '=', ns.id).execute();
      for (const row of destinations) await deleteDestinationIn(tx, by.audit, by.ctx, { kind: 'group', group: ns }, row);
      const removed = await removeAccessTo(tx, { type: 'namespace', id: ns.id });
      await recordGroupEvent(tx, by, ns, 'group_deleted', `Deleted group ${ns.full_path}`, removed);
      await tx.deleteFrom('namespaces').where('id', '=', ns.id).execute();
    }
  });
}
