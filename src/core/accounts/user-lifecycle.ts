import type { Db, Tx } from '../../storage/db/database.js';
import { isPostgres } from '../../storage/db/dialect-types.js';
import type { AuditLog } from '../audit/audit-log.js';
import { userScope } from '../audit/audit-scope.js';
import type { AuditContext, Changes } from '../audit/audit-types.js';
import { errors } from '../errors.js';
import { AccessLevel } from './access-levels.js';
import { assertValidName, assertValidPath } from './paths.js';
import { assertUsernameAndEmailFree, assertValidEmail, passwordHashOf, REDACTED_CHANGE, type User } from './users.js';

// An administrator's changes to accounts (GitLab's PUT/DELETE /users/:id, block, unblock), each
// audited on the subject user (SPEC 4.1, 4.2) in the transaction that makes it. The rules keep an
// instance administrable: nobody locks themself out, and the last active administrator stays.

export interface UserPatch {
  username?: unknown;
  name?: unknown;
  email?: unknown;
  password?: unknown;
  admin?: unknown;
}

/** Who is acting: an administrator (the routes check that), or null for Trove itself. */
export type ActingUser = { id: number } | null;

async function lockedUser(tx: Tx, id: number): Promise<User> {
  // Re-read inside the transaction: two administrators acting at once see each other's change.
  const user = await tx.selectFrom('users').selectAll().where('id', '=', id).where('state', '<>', 'deleted').executeTakeFirst();
  if (!user) throw errors.notFound('404 User Not Found');
  return user;
}

async function assertNotLastActiveAdmin(tx: Tx, user: User, action: string): Promise<void> {
  if (user.is_admin !== 1 || user.state !== 'active') return;
  // Two administrators demoting (blocking, deleting) each other at once must not both succeed:
  // on PostgreSQL the active administrators' rows are locked, all of them and in id order (no
  // deadlock), so the second transaction waits and then sees the first one's change. SQLite
  // runs one write transaction at a time anyway.
  let admins = tx.selectFrom('users').select('id').where('is_admin', '=', 1).where('state', '=', 'active').orderBy('id');
  if (isPostgres(tx)) admins = admins.forUpdate();
  const others = (await admins.execute()).filter((admin) => admin.id !== user.id);
  if (others.length === 0) {
    throw errors.conflict(`409 Conflict - ${user.username} is the last active administrator and cannot be ${action}; make another user an administrator first`);
  }
}

function assertNotSelf(actor: ActingUser, user: User, action: string): void {
  if (actor?.id === user.id) throw errors.forbidden(`403 Forbidden - an administrator cannot ${action} themself`);
}

/** Applies a PUT /users/:id body; records user_updated and, when the flag flips, user_admin_granted/_revoked. */
export async function updateUser(db: Db, audit: AuditLog, ctx: AuditContext, actor: ActingUser, id: number, patch: UserPatch): Promise<User> {
  const username = patch.username === undefined ? undefined : assertValidPath(patch.username, 'username');
  const name = patch.name === undefined ? undefined : assertValidName(patch.name, 'name');
  const email = patch.email === undefined ? undefined : assertValidEmail(patch.email);
  const passwordHash = patch.password === undefined ? undefined : await passwordHashOf(patch.password);
  const admin = patch.admin === undefined ? undefined : patch.admin === true || patch.admin === 'true';
  return db.transaction().execute(async (tx) => {
    const user = await lockedUser(tx, id);
    const changes: Changes = {};
    const set: Partial<Pick<User, 'username' | 'name' | 'email' | 'password_hash' | 'is_admin'>> = {};
    const renamed = username !== undefined && username !== user.username ? username : undefined;
    if (renamed || (email !== undefined && email !== user.email)) {
      const namespace = await userNamespace(tx, user);
      await assertUsernameAndEmailFree(tx, username ?? user.username, email ?? user.email, { userId: user.id, namespaceId: namespace.id });
    }
    if (renamed) {
      set.username = renamed;
      changes.username = { from: user.username, to: renamed };
      await renameUserNamespace(tx, user, renamed, changes);
    }
    if (email !== undefined && email !== user.email) {
      set.email = email;
      changes.email = { from: user.email, to: email };
    }
    if (name !== undefined && name !== user.name) {
      set.name = name;
      changes.name = { from: user.name, to: name };
    }
    if (passwordHash !== undefined) {
      set.password_hash = passwordHash;
      changes.password = REDACTED_CHANGE;
    }
    const adminFlips = admin !== undefined && admin !== (user.is_admin === 1);
    if (adminFlips && !admin) {
      assertNotSelf(actor, user, 'remove the administrator rights of');
      await assertNotLastActiveAdmin(tx, user, 'demoted');
    }
    if (adminFlips) set.is_admin = admin ? 1 : 0;
    if (Object.keys(set).length === 0) return user;
    const updated = await tx.updateTable('users').set(set).where('id', '=', user.id).returningAll().executeTakeFirstOrThrow();
    const target = { id: user.id, type: 'User', details: updated.username };
    if (Object.keys(changes).length > 0) {
      await audit.record(tx, ctx, {
        eventName: 'user_updated',
        scope: userScope(updated),
        target,
        customMessage: `Changed ${Object.keys(changes).join(', ')} of user ${updated.username}`,
        changes,
      });
    }
    if (adminFlips) {
      await audit.record(tx, ctx, {
        eventName: admin ? 'user_admin_granted' : 'user_admin_revoked',
        scope: userScope(updated),
        target,
        customMessage: admin ? `Made ${updated.username} an administrator` : `Removed the administrator rights of ${updated.username}`,
        changes: { admin: { from: !admin, to: admin } },
      });
    }
    return updated;
  });
}

async function userNamespace(tx: Tx, user: User) {
  return tx.selectFrom('namespaces').selectAll().where('kind', '=', 'user').where('owner_user_id', '=', user.id).executeTakeFirstOrThrow();
}

/** The personal namespace follows the username, and so do its projects' paths (GitLab does the same). */
async function renameUserNamespace(tx: Tx, user: User, username: string, changes: Changes): Promise<void> {
  const namespace = await userNamespace(tx, user);
  await tx.updateTable('namespaces').set({ name: username, path: username, full_path: username }).where('id', '=', namespace.id).execute();
  changes.namespace_path = { from: namespace.full_path, to: username };
  const projects = await tx.selectFrom('projects').select(['id', 'path', 'full_path']).where('namespace_id', '=', namespace.id).orderBy('id').execute();
  for (const project of projects) {
    await tx.updateTable('projects').set({ full_path: `${username}/${project.path}` }).where('id', '=', project.id).execute();
  }
  if (projects.length > 0) {
    changes.project_paths = { from: projects.map((p) => p.full_path), to: projects.map((p) => `${username}/${p.path}`) };
  }
}

/** POST /users/:id/block and /unblock. Returns false when the user was already in that state (nothing recorded). */
export async function setUserBlocked(db: Db, audit: AuditLog, ctx: AuditContext, actor: ActingUser, id: number, blocked: boolean): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const user = await lockedUser(tx, id);
    const state = blocked ? 'blocked' : 'active';
    if (user.state === state) return false;
    if (blocked) {
      assertNotSelf(actor, user, 'block');
      await assertNotLastActiveAdmin(tx, user, 'blocked');
    }
    await tx.updateTable('users').set({ state }).where('id', '=', user.id).execute();
    await audit.record(tx, ctx, {
      eventName: blocked ? 'user_blocked' : 'user_unblocked',
      scope: userScope(user),
      target: { id: user.id, type: 'User', details: user.username },
      customMessage: blocked ? `Blocked user ${user.username}` : `Unblocked user ${user.username}`,
      changes: { state: { from: user.state, to: state } },
    });
    return true;
  });
}

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

async function membershipsOf(tx: Tx, user: User) {
  const groups = await tx
    .selectFrom('members')
    .innerJoin('namespaces', 'namespaces.id', 'members.source_id')
    .select(['namespaces.full_path', 'members.access_level'])
    .where('members.source_type', '=', 'namespace')
    .where('members.user_id', '=', user.id)
    .orderBy('members.id')
    .execute();
  const projects = await tx
    .selectFrom('members')
    .innerJoin('projects', 'projects.id', 'members.source_id')
    .select(['projects.full_path', 'members.access_level'])
    .where('members.source_type', '=', 'project')
    .where('members.user_id', '=', user.id)
    .orderBy('members.id')
    .execute();
  return [
    ...groups.map((m) => ({ source_type: 'Namespace', full_path: m.full_path, access_level: m.access_level })),
    ...projects.map((m) => ({ source_type: 'Project', full_path: m.full_path, access_level: m.access_level })),
  ];
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
