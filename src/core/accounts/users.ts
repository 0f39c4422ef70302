import type { Db } from '../../storage/db/database.js';
import { equalsIgnoringCase } from '../../storage/db/like.js';
import type { UsersTable } from '../../storage/db/schema.js';
import { nowIso } from '../clock.js';
import { errors } from '../errors.js';
import { hashPassword } from './passwords.js';
import { assertValidName, assertValidPath } from './paths.js';

export type User = Omit<UsersTable, 'id'> & { id: number };

export interface NewUser {
  username: string;
  name?: string;
  email: string;
  password?: string;
  isAdmin?: boolean;
}

/** Creates a user and their personal namespace (same path as the username), in one transaction. */
export async function createUser(db: Db, input: NewUser): Promise<User> {
  const username = assertValidPath(input.username, 'username');
  const name = assertValidName(input.name ?? username, 'name');
  if (typeof input.email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(input.email)) throw errors.badRequest('email is invalid');
  if (input.password !== undefined && (typeof input.password !== 'string' || input.password.length < 8)) {
    throw errors.badRequest('password is too short (minimum is 8 characters)');
  }
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  return db.transaction().execute(async (tx) => {
    // Unique regardless of case, and never a deploy token's username (SPEC 7), nor a group's path.
    const clash = await tx
      .selectFrom('users')
      .select('id')
      .where((eb) => eb.or([equalsIgnoringCase('username', username), eb('email', '=', input.email)]))
      .executeTakeFirst();
    const pathTaken = await tx.selectFrom('namespaces').select('id').where(equalsIgnoringCase('full_path', username)).executeTakeFirst();
    const deployTokenName = await tx.selectFrom('deploy_tokens').select('id').where(equalsIgnoringCase('username', username)).executeTakeFirst();
    if (clash || pathTaken || deployTokenName) throw errors.conflict('Username or email has already been taken');
    const createdAt = nowIso();
    const user = await tx
      .insertInto('users')
      .values({
        username,
        name,
        email: input.email,
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
    return user;
  });
}

export async function findUserById(db: Db, id: number): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findUserByUsername(db: Db, username: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
}

/** GitLab's user JSON; email and admin flag only for the user themself or an admin. */
export function userToApi(user: User, baseUrl: string, full: boolean) {
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
