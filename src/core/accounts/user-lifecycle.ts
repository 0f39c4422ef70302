import type { Db, Tx } from '../../storage/db/database.js';
import { isPostgres } from '../../storage/db/dialect-types.js';
import type { AuditLog } from '../audit/audit-log.js';
import { userScope } from '../audit/audit-scope.js';
import type { AuditContext, Changes } from '../audit/audit-types.js';
import { errors } from '../errors.js';
import { assertValidName, assertValidPath } from './paths.js';
import { assertUsernameAndEmailFree, assertValidEmail, passwordHashOf, REDACTED_CHANGE, type User } from './users.js';

// An administrator's changes to accounts (GitLab's PUT/DELETE /users/:id, block, unblock), each
// audited on the subject user (docs/architecture.md#what-is-recorded, docs/architecture.md#scope-and-visibility) in the transaction that makes it. The rules keep an
// instance administrable: nobody locks themself out, and the last active administrator stays.

/** The fields as a request gives them (each checked by parsePatch); `admin` may come as a form's text. */
export interface UserPatch {
  username?: string;
  name?: string;
  email?: string;
  password?: string;
  admin?: boolean | 'true' | 'false';
}

/** Who is acting: an administrator (the routes check that), or null for Trove itself. */
export type ActingUser = { id: number } | null;

export async function lockedUser(tx: Tx, id: number): Promise<User> {
  // Re-read inside the transaction: two administrators acting at once see each other's change.
  const user = await tx.selectFrom('users').selectAll().where('id', '=', id).where('state', '<>', 'deleted').executeTakeFirst();
  if (!user) throw errors.notFound('404 User Not Found');
  return user;
}

export async function assertNotLastActiveAdmin(tx: Tx, user: User, action: string): Promise<void> {
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

export function assertNotSelf(actor: ActingUser, user: User, action: string): void {
  if (actor?.id === user.id) throw errors.forbidden(`403 Forbidden - an administrator cannot ${action} themself`);
}

interface ParsedPatch {
  username?: string;
  name?: string;
  email?: string;
  passwordHash?: string;
  admin?: boolean;
}

/** Validates the fields given (before the transaction: hashing a password takes a while). */
async function parsePatch(patch: UserPatch): Promise<ParsedPatch> {
  return {
    username: patch.username === undefined ? undefined : assertValidPath(patch.username, 'username'),
    name: patch.name === undefined ? undefined : assertValidName(patch.name, 'name'),
    email: patch.email === undefined ? undefined : assertValidEmail(patch.email),
    passwordHash: patch.password === undefined ? undefined : await passwordHashOf(patch.password),
    admin: patch.admin === undefined ? undefined : patch.admin === true || patch.admin === 'true',
  };
}

type UserColumns = Partial<Pick<User, 'username' | 'name' | 'email' | 'password_hash' | 'is_admin'>>;

/** The columns that really change, and their `changes` entries (a password as changed, never its value or hash). */
function columnChanges(user: User, parsed: ParsedPatch): { set: UserColumns; changes: Changes } {
  const set: UserColumns = {};
  const changes: Changes = {};
  for (const field of ['username', 'name', 'email'] as const) {
    const value = parsed[field];
    if (value === undefined || value === user[field]) continue;
    set[field] = value;
    changes[field] = { from: user[field], to: value };
  }
  if (parsed.passwordHash !== undefined) {
    set.password_hash = parsed.passwordHash;
    changes.password = REDACTED_CHANGE;
  }
  return { set, changes };
}

/** Applies a PUT /users/:id body; records user_updated and, when the flag flips, user_admin_granted/_revoked. */
export async function updateUser(db: Db, audit: AuditLog, ctx: AuditContext, actor: ActingUser, id: number, patch: UserPatch): Promise<User> {
  const parsed = await parsePatch(patch);
  return db.transaction().execute(async (tx) => {
    const user = await lockedUser(tx, id);
    const { set, changes } = columnChanges(user, parsed);
    if (set.username !== undefined || set.email !== undefined) {
      const namespace = await userNamespace(tx, user);
      await assertUsernameAndEmailFree(tx, set.username ?? user.username, set.email ?? user.email, { userId: user.id, namespaceId: namespace.id });
    }
    if (set.username !== undefined) await renameUserNamespace(tx, user, set.username, changes);
    const admin = parsed.admin !== undefined && parsed.admin !== (user.is_admin === 1) ? parsed.admin : undefined;
    if (admin === false) {
      assertNotSelf(actor, user, 'remove the administrator rights of');
      await assertNotLastActiveAdmin(tx, user, 'demoted');
    }
    if (admin !== undefined) set.is_admin = admin ? 1 : 0;
    if (Object.keys(set).length === 0) return user;
    const updated = await tx.updateTable('users').set(set).where('id', '=', user.id).returningAll().executeTakeFirstOrThrow();
    // A new password ends the web sessions signed in with the old one (someone may have had it).
    if (set.password_hash !== undefined) await tx.deleteFrom('web_sessions').where('user_id', '=', user.id).execute();
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
    if (admin !== undefined) {
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

export async function userNamespace(tx: Tx, user: User) {
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
