import type { Db } from '../../storage/db/database.js';
import { nowIso } from '../clock.js';
import { errors } from '../errors.js';
import { VALID_ACCESS_LEVELS } from './access-levels.js';
import type { User } from './users.js';

export type MemberSource = { type: 'namespace' | 'project'; id: number };

export function assertAccessLevel(value: unknown): number {
  const level = Number(value);
  if (!VALID_ACCESS_LEVELS.includes(level)) throw errors.badRequest('access_level does not have a valid value');
  return level;
}

export async function listMembers(db: Db, source: MemberSource) {
  return db
    .selectFrom('members')
    .innerJoin('users', 'users.id', 'members.user_id')
    .select(['users.id', 'users.username', 'users.name', 'users.state', 'members.access_level', 'members.created_at'])
    .where('members.source_type', '=', source.type)
    .where('members.source_id', '=', source.id)
    .orderBy('users.id')
    .execute();
}

export async function findMember(db: Db, source: MemberSource, userId: number) {
  return db
    .selectFrom('members')
    .selectAll()
    .where('source_type', '=', source.type)
    .where('source_id', '=', source.id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function addMember(db: Db, source: MemberSource, user: User, accessLevel: number): Promise<void> {
  if (await findMember(db, source, user.id)) throw errors.conflict('Member already exists');
  await db
    .insertInto('members')
    .values({ source_type: source.type, source_id: source.id, user_id: user.id, access_level: accessLevel, created_at: nowIso() })
    .execute();
}

export async function updateMember(db: Db, source: MemberSource, userId: number, accessLevel: number): Promise<void> {
  const result = await db
    .updateTable('members')
    .set({ access_level: accessLevel })
    .where('source_type', '=', source.type)
    .where('source_id', '=', source.id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw errors.notFound('404 Member Not Found');
}

export async function removeMember(db: Db, source: MemberSource, userId: number): Promise<void> {
  const result = await db
    .deleteFrom('members')
    .where('source_type', '=', source.type)
    .where('source_id', '=', source.id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw errors.notFound('404 Member Not Found');
}
