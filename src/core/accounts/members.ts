import type { Db, Tx } from '../../storage/db/database.js';
import { isPostgres } from '../../storage/db/dialect-types.js';
import { getRow } from '../../storage/db/row-lookup.js';
import { nowIso } from '../clock.js';
import { errors } from '../errors.js';
import { AccessLevel, VALID_ACCESS_LEVELS } from './access-levels.js';
import { ancestorsOf } from './namespaces.js';
import type { User } from './users.js';

export type MemberSource = { type: 'namespace' | 'project'; id: number };

// GitLab's rules for managing members, for groups and projects alike:
// - maintainers and owners manage members; nobody grants a level above their own,
// - only owners change or remove a member who is an owner,
// - a group or project keeps at least one owner (inherited owners count): its last owner can be
//   neither removed nor demoted, not even by an administrator, who otherwise passes as an owner.

export function assertAccessLevel(value: unknown): number {
  const level = Number(value);
  if (!VALID_ACCESS_LEVELS.includes(level)) throw errors.badRequest('access_level does not have a valid value');
  return level;
}

function assertManagesMembers(callerLevel: number): void {
  if (callerLevel < AccessLevel.maintainer) throw errors.forbidden();
}

function assertMayGrant(callerLevel: number, level: number): void {
  if (level > callerLevel) throw errors.forbidden('403 Forbidden - you cannot grant an access level above your own');
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

/** Adds a member; `callerLevel` is the caller's level on the source (an administrator's is owner). */
export async function addMember(db: Db, source: MemberSource, user: User, accessLevel: number, callerLevel: number): Promise<void> {
  assertManagesMembers(callerLevel);
  assertMayGrant(callerLevel, accessLevel);
  if (await findMember(db, source, user.id)) throw errors.conflict('Member already exists');
  await db
    .insertInto('members')
    .values({ source_type: source.type, source_id: source.id, user_id: user.id, access_level: accessLevel, created_at: nowIso() })
    .execute();
}

/**
 * Serialises membership changes of one group or project on PostgreSQL, so that two owners demoting
 * each other at once cannot both count the other one (SQLite runs one write transaction at a time).
 * The owners above count too, but the top-level group always keeps one of its own.
 */
async function lockSource(tx: Tx, source: MemberSource): Promise<void> {
  if (!isPostgres(tx)) return;
  await tx
    .selectFrom(source.type === 'namespace' ? 'namespaces' : 'projects')
    .select('id')
    .where('id', '=', source.id)
    .forUpdate()
    .execute();
}

/**
 * Direct owner memberships that keep the source owned, other than `userId`'s own on the source: the
 * source's other owners and the owners of the groups above it.
 */
async function otherOwners(tx: Tx, source: MemberSource, userId: number): Promise<number> {
  let groupIds: number[] = [];
  if (source.type === 'namespace') {
    groupIds = (await ancestorsOf(tx, await getRow(tx, 'namespaces', { id: source.id }))).slice(1).map((ns) => ns.id);
  } else {
    const project = await getRow(tx, 'projects', { id: source.id });
    const namespace = await getRow(tx, 'namespaces', { id: project.namespace_id });
    // A project in a user namespace is always owned by that user.
    if (namespace.kind === 'user') return 1;
    groupIds = (await ancestorsOf(tx, namespace)).map((ns) => ns.id);
  }
  const owners = await tx
    .selectFrom('members')
    .select('id')
    .where('access_level', '>=', AccessLevel.owner)
    .where((eb) =>
      eb.or([
        eb.and([eb('source_type', '=', source.type), eb('source_id', '=', source.id), eb('user_id', '<>', userId)]),
        ...(groupIds.length > 0 ? [eb.and([eb('source_type', '=', 'namespace'), eb('source_id', 'in', groupIds)])] : []),
      ]),
    )
    .execute();
  return owners.length;
}

/** The caller's access level on the source, read in the transaction that changes it. */
export type CallerLevel = (db: Db) => Promise<number>;

/**
 * Changes (`accessLevel`) or removes (null) a membership under the rules above. The caller's level
 * is read after the lock: an owner demoted a moment ago no longer acts as one.
 */
async function changeMember(db: Db, source: MemberSource, caller: CallerLevel, userId: number, accessLevel: number | null): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await lockSource(tx, source);
    const callerLevel = await caller(tx);
    assertManagesMembers(callerLevel);
    if (accessLevel !== null) assertMayGrant(callerLevel, accessLevel);
    const member = await findMember(tx, source, userId);
    if (!member) throw errors.notFound('404 Member Not Found');
    if (member.access_level > callerLevel) throw errors.forbidden('403 Forbidden - only an owner can change or remove an owner');
    const losesOwner = member.access_level >= AccessLevel.owner && (accessLevel === null || accessLevel < AccessLevel.owner);
    if (losesOwner && (await otherOwners(tx, source, userId)) === 0) {
      const what = source.type === 'namespace' ? 'group' : 'project';
      throw errors.forbidden(`403 Forbidden - the last owner of a ${what} cannot be removed or demoted: add another owner first`);
    }
    if (accessLevel === null) {
      await tx.deleteFrom('members').where('id', '=', member.id).execute();
    } else {
      await tx.updateTable('members').set({ access_level: accessLevel }).where('id', '=', member.id).execute();
    }
  });
}

export async function updateMember(db: Db, source: MemberSource, caller: CallerLevel, userId: number, accessLevel: number): Promise<void> {
  await changeMember(db, source, caller, userId, accessLevel);
}

export async function removeMember(db: Db, source: MemberSource, caller: CallerLevel, userId: number): Promise<void> {
  await changeMember(db, source, caller, userId, null);
}
