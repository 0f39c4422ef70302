import type { Db, Tx } from '../../storage/db/database.js';
import type { AuditLog } from '../audit/audit-log.js';
import { userScope } from '../audit/audit-scope.js';
import type { AuditContext } from '../audit/audit-types.js';
import { errors } from '../errors.js';
import { AccessLevel } from './access-levels.js';
import { assertNotLastActiveAdmin, assertNotSelf, lockedUser, userNamespace, type ActingUser } from './user-lifecycle.js';
import type { User } from './users.js';

/**
 * DELETE /users/:id: refused while the user alone owns a group or still has projects; otherwise
 * their tokens are revoked, sessions ended and memberships removed, and the account is marked
 * deleted. The row stays so that the tokens, namespace and audit events that name it still resolve.
 */
export async function deleteUser(db: Db, audit: AuditLog, ctx: AuditContext, actor: ActingUser, id: number): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const user = await lockedUser(tx, id);
    assertNotSelf(actor, user, 'delete');
    await assertNotLastActiveAdmin(tx, user, 'deleted');
    await assertOwnsNoGroupAlone(tx, user);
    const namespace = await userNamespace(tx, user);
    const projects = await tx.selectFrom('projects').select('full_path').where('namespace_id', '=', namespace.id).orderBy('id').execute();
    if (projects.length > 0) {
      throw errors.conflict(`409 Conflict - ${user.username} still has projects in their namespace (${projects.map((p) => p.full_path).join(', ')}); transfer or delete them first`);
    }
    const tokens = await tx
      .selectFrom('personal_access_tokens')
      .select(['id', 'name'])
      .where('user_id', '=', user.id)
      .where('revoked', '=', 0)
      .orderBy('id')
      .execute();
    const memberships = await membershipsOf(tx, user);
    await tx.updateTable('personal_access_tokens').set({ revoked: 1 }).where('user_id', '=', user.id).execute();
    await tx.deleteFrom('web_sessions').where('user_id', '=', user.id).execute();
    await tx.deleteFrom('members').where('user_id', '=', user.id).execute();
    await tx.updateTable('users').set({ state: 'deleted', is_admin: 0, password_hash: null }).where('id', '=', user.id).execute();
    await audit.record(tx, ctx, {
      eventName: 'user_deleted',
      scope: userScope(user),
      target: { id: user.id, type: 'User', details: user.username },
      customMessage: `Deleted user ${user.username}`,
      changes: {
        state: { from: user.state, to: 'deleted' },
        ...(user.is_admin === 1 ? { admin: { from: true, to: false } } : {}),
        personal_access_tokens_revoked: { from: tokens, to: [] },
        memberships: { from: memberships, to: [] },
      },
    });
  });
}

/** The user's memberships, groups first, as user_deleted lists them. */
async function membershipsOf(tx: Tx, user: User) {
  const rows = await tx
    .selectFrom('members')
    .leftJoin('namespaces', (join) => join.onRef('namespaces.id', '=', 'members.source_id').on('members.source_type', '=', 'namespace'))
    .leftJoin('projects', (join) => join.onRef('projects.id', '=', 'members.source_id').on('members.source_type', '=', 'project'))
    .select(['members.source_type', 'members.access_level', 'namespaces.full_path as group_path', 'projects.full_path as project_path'])
    .where('members.user_id', '=', user.id)
    .orderBy('members.source_type')
    .orderBy('members.id')
    .execute();
  return rows.map((m) => ({
    source_type: m.source_type === 'namespace' ? 'Namespace' : 'Project',
    full_path: m.group_path ?? m.project_path,
    access_level: m.access_level,
  }));
}

async function assertOwnsNoGroupAlone(tx: Tx, user: User): Promise<void> {
  const owned = await tx
    .selectFrom('members')
    .innerJoin('namespaces', 'namespaces.id', 'members.source_id')
    .select(['namespaces.id', 'namespaces.full_path'])
    .where('members.source_type', '=', 'namespace')
    .where('members.user_id', '=', user.id)
    .where('members.access_level', '>=', AccessLevel.owner)
    .orderBy('namespaces.full_path')
    .execute();
  const alone: string[] = [];
  for (const group of owned) {
    const otherOwner = await tx
      .selectFrom('members')
      .innerJoin('users', 'users.id', 'members.user_id')
      .select('members.id')
      .where('members.source_type', '=', 'namespace')
      .where('members.source_id', '=', group.id)
      .where('members.user_id', '<>', user.id)
      .where('members.access_level', '>=', AccessLevel.owner)
      .where('users.state', '=', 'active')
      .limit(1)
      .executeTakeFirst();
    if (!otherOwner) alone.push(group.full_path);
  }
  if (alone.length > 0) {
    throw errors.conflict(`409 Conflict - ${user.username} is the only owner of ${alone.join(', ')}; add another owner or delete the group first`);
  }
}
