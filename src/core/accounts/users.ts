import type { User as UserContract } from '../../contracts/users.js';
import type { Db, Tx } from '../../storage/db/database.js';
import { equalsIgnoringCase } from '../../storage/db/like.js';
import type { UsersTable } from '../../storage/db/schema.js';
import type { AuditLog } from '../audit/audit-log.js';
import { userScope } from '../audit/audit-scope.js';
import type { AuditContext } from '../audit/audit-types.js';
import { nowIso } from '../clock.js';
import { errors } from '../errors.js';
import { hashPassword } from './passwords.js';
import { assertValidName, assertValidPath } from './paths.js';

export type User = Omit<UsersTable, 'id'> & { id: number };

/** A new account as asked for (a request may leave out any field: createUser checks them). */
export interface NewUser {
  username?: string;
  name?: string;
  email?: string;
  password?: string;
  isAdmin?: boolean;
}

/** Checks the rules of docs/architecture.md#bad-input-and-limits for a new or changed username and email, inside the writing transaction. */
export async function assertUsernameAndEmailFree(tx: Tx, username: string, email: string, self?: { userId: number; namespaceId: number }): Promise<void> {
  // Unique regardless of case (deleted users' names stay taken: the audit log names them), never
  // a deploy token's username (docs/architecture.md#bad-input-and-limits), nor a group's path.
  let users = tx.selectFrom('users').select('id').where((eb) => eb.or([equalsIgnoringCase('username', username), equalsIgnoringCase('email', email)]));
  let namespaces = tx.selectFrom('namespaces').select('id').where(equalsIgnoringCase('full_path', username));
  if (self) {
    users = users.where('id', '<>', self.userId);
    namespaces = namespaces.where('id', '<>', self.namespaceId);
  }
  const clash = await users.executeTakeFirst();
  const pathTaken = await namespaces.executeTakeFirst();
  const deployTokenName = await tx.selectFrom('deploy_tokens').select('id').where(equalsIgnoringCase('username', username)).executeTakeFirst();
  if (clash || pathTaken || deployTokenName) throw errors.conflict('Username or email has already been taken');
}

export function assertValidEmail(email: unknown): string {
  if (typeof email !== 'string' || email.length > 255 || !/^[^\s@]+@[^\s@]+$/.test(email)) throw errors.badRequest('email is invalid');
  return email;
}

export async function passwordHashOf(password: unknown): Promise<string> {
  if (typeof password !== 'string' || password.length < 8) throw errors.badRequest('password is too short (minimum is 8 characters)');
  return hashPassword(password);
}

/** Creates a user and their personal namespace (same path as the username), audited, in one transaction. */
export async function createUser(db: Db, audit: AuditLog, ctx: AuditContext, input: NewUser): Promise<User> {
  const username = assertValidPath(input.username, 'username');
  const name = assertValidName(input.name ?? username, 'name');
  const email = assertValidEmail(input.email);
  const passwordHash = input.password !== undefined ? await passwordHashOf(input.password) : null;
  return db.transaction().execute(async (tx) => {
    await assertUsernameAndEmailFree(tx, username, email);
    const createdAt = nowIso();
    const user = await tx
      .insertInto('users')
      .values({
        username,
        name,
        email,
        password_hash: passwordHash,
        is_admin: input.isAdmin ? 1 : 0,
        state: 'active',
        created_at: createdAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await tx
      .insertInto('namespaces')
      .values({
        kind: 'user',
        name: username,
        path: username,
        full_path: username,
        parent_id: null,
        owner_user_id: user.id,
        visibility: 'private',
        description: '',
        package_audit_events: 'inherit',
        package_download_events: 'inherit',
        created_at: createdAt,
      })
      .execute();
    await audit.record(tx, ctx, {
      eventName: 'user_created',
      scope: userScope(user),
      target: { id: user.id, type: 'User', details: username },
      customMessage: `Created user ${username}${user.is_admin ? ' (administrator)' : ''}`,
      changes: {
        username: { from: null, to: username },
        name: { from: null, to: name },
        email: { from: null, to: email },
        admin: { from: null, to: user.is_admin === 1 },
        ...(passwordHash ? { password: REDACTED_CHANGE } : {}),
      },
    });
    return user;
  });
}

/** How a password change appears in `changes`: that it changed, never the value or its hash. */
export const REDACTED_CHANGE = { from: '[REDACTED]', to: '[REDACTED]' } as const;

/** A user who has not been deleted (a deleted user's row stays, so that the audit log's references do). */
export async function findUserById(db: Db, id: number): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).where('state', '<>', 'deleted').executeTakeFirst();
}

export async function findUserByUsername(db: Db, username: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('username', '=', username).where('state', '<>', 'deleted').executeTakeFirst();
}

/** GitLab's user JSON; email and admin flag only for the user themself or an admin. */
export function userToApi(user: User, baseUrl: string, full: boolean): UserContract {
  return {
    id: user.id,
    username: user.username,
    name: user.name,
    state: user.state,
    avatar_url: null,
    web_url: `${baseUrl}/${user.username}`,
    created_at: user.created_at,
    ...(full ? { email: user.email, is_admin: user.is_admin === 1 } : {}),
  };
}
