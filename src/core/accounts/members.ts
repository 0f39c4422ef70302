import type { Member, MemberAccessLevel } from '../../contracts/members.js';
import type { Db, Tx } from '../../storage/db/database.js';
import { isPostgres } from '../../storage/db/dialect-types.js';
import { findRow, getRow } from '../../storage/db/row-lookup.js';
import type { AuditedBy } from '../audit/audit-log.js';
import { groupSubject, projectSubject, type SubjectAudit } from '../audit/audit-scope.js';
import type { AuditEventName } from '../audit/event-catalog.js';
import { nowIso } from '../clock.js';
import { errors } from '../errors.js';
import { AccessLevel, accessLevelName, VALID_ACCESS_LEVELS } from './access-levels.js';
import { activeMembership } from './member-expiry.js';
import { ancestorsOf } from './namespaces.js';
import type { User } from './users.js';

export type MemberSource = { type: 'namespace' | 'project'; id: number };

export interface MemberValues {
  accessLevel: number;
  expiresAt: string | null;
}

// GitLab's rules for managing members, for groups and projects alike:
// - maintainers and owners manage members; nobody grants a level above their own,
// - only owners change or remove a member who is an owner,
// - a group or project keeps at least one owner (inherited owners count): its last owner can be
//   neither removed nor demoted, not even by an administrator, who otherwise passes as an owner.
// Every change is recorded (member_added / member_access_level_changed / member_removed) in the
// transaction that makes it, where the membership is: a group's on the group, a project's in the
// project's scope (docs/architecture.md#scope-and-visibility). A refused change changes nothing and records nothing.

export function assertAccessLevel(value: number | string | undefined): number {
  const level = Number(value);
  if (!isMemberAccessLevel(level)) throw errors.badRequest('access_level does not have a valid value');
  return level;
}

function isMemberAccessLevel(level: number): level is MemberAccessLevel {
  return VALID_ACCESS_LEVELS.includes(level);
}

function assertManagesMembers(callerLevel: number): void {
  if (callerLevel < AccessLevel.maintainer) throw errors.forbidden();
}

function assertMayGrant(callerLevel: number, level: number): void {
  if (level > callerLevel) throw errors.forbidden('403 Forbidden - you cannot grant an access level above your own');
}

const memberColumns = ['users.id', 'users.username', 'users.name', 'users.state', 'members.access_level', 'members.created_at', 'members.expires_at'] as const;

export type MemberRow = { id: number; username: string; name: string; state: User['state']; access_level: number; created_at: string; expires_at: string | null };

/** GitLab's member JSON. */
export function memberToApi(member: MemberRow, baseUrl: string): Member {
  // Every write checks the level (assertAccessLevel); another one stored would be a bug to surface, not to pass on.
  if (!isMemberAccessLevel(member.access_level)) throw new Error(`membership of user ${member.id} has access level ${member.access_level}, which is none of GitLab's`);
  return {
    id: member.id,
    username: member.username,
    name: member.name,
    state: member.state,
    avatar_url: null,
    web_url: `${baseUrl}/${member.username}`,
    access_level: member.access_level,
    created_at: member.created_at,
    expires_at: member.expires_at,
  };
}

function sourceMembers(db: Db, source: MemberSource) {
  return db
    .selectFrom('members')
    .innerJoin('users', 'users.id', 'members.user_id')
    .select(memberColumns)
    .where('members.source_type', '=', source.type)
    .where('members.source_id', '=', source.id);
}

/** The source's direct members (expired ones included, with their expiry, as GitLab lists them). */
export async function listMembers(db: Db, source: MemberSource): Promise<MemberRow[]> {
  return sourceMembers(db, source).orderBy('users.id').execute();
}

export async function findMemberRow(db: Db, source: MemberSource, userId: number): Promise<MemberRow | undefined> {
  return sourceMembers(db, source).where('members.user_id', '=', userId).executeTakeFirst();
}

/**
 * GitLab's `members/all`: direct and inherited members whose membership has not expired, each user
 * once with their highest level (a personal namespace's owner is an owner of its projects).
 */
export async function listAllMembers(db: Db, source: MemberSource): Promise<MemberRow[]> {
  let groupIds: number[];
  let personalOwner: number | null = null;
  if (source.type === 'namespace') {
    groupIds = (await ancestorsOf(db, await getRow(db, 'namespaces', { id: source.id }))).map((ns) => ns.id);
  } else {
    const project = await getRow(db, 'projects', { id: source.id });
    const namespace = await getRow(db, 'namespaces', { id: project.namespace_id });
    groupIds = namespace.kind === 'group' ? (await ancestorsOf(db, namespace)).map((ns) => ns.id) : [];
    personalOwner = namespace.kind === 'user' ? namespace.owner_user_id : null;
  }
  const rows = await db
    .selectFrom('members')
    .innerJoin('users', 'users.id', 'members.user_id')
    .select(memberColumns)
    .where(activeMembership)
    .where((eb) =>
      eb.or([
        eb.and([eb('members.source_type', '=', source.type), eb('members.source_id', '=', source.id)]),
        ...(groupIds.length > 0 ? [eb.and([eb('members.source_type', '=', 'namespace'), eb('members.source_id', 'in', groupIds)])] : []),
      ]),
    )
    .execute();
  if (personalOwner !== null) {
    const owner = await getRow(db, 'users', { id: personalOwner });
    rows.push({ id: owner.id, username: owner.username, name: owner.name, state: owner.state, access_level: AccessLevel.owner, created_at: owner.created_at, expires_at: null });
  }
  const best = new Map<number, MemberRow>();
  for (const row of rows) {
    const seen = best.get(row.id);
    if (!seen || row.access_level > seen.access_level) best.set(row.id, row);
  }
  return [...best.values()].sort((a, b) => a.id - b.id);
}

async function findMember(db: Db, source: MemberSource, userId: number) {
  return db
    .selectFrom('members')
    .selectAll()
    .where('source_type', '=', source.type)
    .where('source_id', '=', source.id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

/** Where the source's membership events are stored, and its full path for messages. */
async function sourceSubject(db: Db, source: MemberSource): Promise<SubjectAudit & { path: string }> {
  if (source.type === 'namespace') {
    const group = await getRow(db, 'namespaces', { id: source.id });
    return { ...groupSubject(group), path: group.full_path };
  }
  const project = await getRow(db, 'projects', { id: source.id });
  const namespace = await getRow(db, 'namespaces', { id: project.namespace_id });
  return { ...projectSubject(project, namespace), path: project.full_path };
}

type MemberEvent = Extract<AuditEventName, 'member_added' | 'member_access_level_changed' | 'member_removed'>;

function describe(event: MemberEvent, username: string, path: string, before: MemberValues | null, after: MemberValues | null): string {
  const expiry = (values: MemberValues) => (values.expiresAt ? ` until ${values.expiresAt}` : '');
  if (event === 'member_added') return `Added ${username} to ${path} as ${accessLevelName(after!.accessLevel)}${expiry(after!)}`;
  if (event === 'member_removed') return `Removed ${username} (${accessLevelName(before!.accessLevel)}) from ${path}`;
  return `Changed ${username} on ${path} from ${accessLevelName(before!.accessLevel)}${expiry(before!)} to ${accessLevelName(after!.accessLevel)}${expiry(after!)}`;
}

async function recordMemberEvent(
  tx: Tx,
  by: AuditedBy,
  source: MemberSource,
  event: MemberEvent,
  user: { id: number; username: string },
  before: MemberValues | null,
  after: MemberValues | null,
): Promise<void> {
  const subject = await sourceSubject(tx, source);
  await by.audit.record(tx, by.ctx, {
    eventName: event,
    scope: subject.scope,
    project: subject.project,
    target: { id: user.id, type: 'User', details: user.username },
    customMessage: describe(event, user.username, subject.path, before, after),
    changes: {
      access_level: { from: before?.accessLevel ?? null, to: after?.accessLevel ?? null },
      expires_at: { from: before?.expiresAt ?? null, to: after?.expiresAt ?? null },
    },
  });
}

/** What a refused membership change tried: add, change (to `accessLevel`) or remove `userId`. */
export interface MemberChangeAttempt {
  action: 'add' | 'change' | 'remove';
  userId: number;
  accessLevel: number | null;
}

/**
 * Records a refused membership change as member_change_denied, in its own transaction (the change's
 * rolled back): escalation attempts are what an access review asks about.
 */
export async function recordMemberChangeDenied(db: Db, by: AuditedBy, source: MemberSource, attempt: MemberChangeAttempt, reason: string): Promise<void> {
  const subject = await sourceSubject(db, source);
  const user = await findRow(db, 'users', { id: attempt.userId });
  const username = user?.username ?? `user ${attempt.userId}`;
  const level = attempt.accessLevel === null ? '' : ` as ${accessLevelName(attempt.accessLevel)}`;
  await by.audit.recordAlone(db, by.ctx, {
    eventName: 'member_change_denied',
    outcome: 'failure',
    reason,
    scope: subject.scope,
    project: subject.project,
    target: { id: attempt.userId, type: 'User', details: username },
    customMessage: `Refused to ${attempt.action} ${username}${level} on ${subject.path}`,
    changes: { access_level: { from: null, to: attempt.accessLevel } },
  });
}

/** Inserts a membership and records `member_added`, inside the caller's transaction (also a new group's creator). */
export async function insertMember(tx: Tx, by: AuditedBy, source: MemberSource, user: User, values: MemberValues): Promise<void> {
  await tx
    .insertInto('members')
    .values({ source_type: source.type, source_id: source.id, user_id: user.id, access_level: values.accessLevel, expires_at: values.expiresAt, created_at: nowIso() })
    .execute();
  await recordMemberEvent(tx, by, source, 'member_added', user, null, values);
}

/** Adds a member; `callerLevel` is the caller's level on the source (an administrator's is owner). */
export async function addMember(db: Db, by: AuditedBy, source: MemberSource, user: User, values: MemberValues, callerLevel: number): Promise<void> {
  assertManagesMembers(callerLevel);
  assertMayGrant(callerLevel, values.accessLevel);
  await db.transaction().execute(async (tx) => {
    await lockSource(tx, source);
    if (await findMember(tx, source, user.id)) throw errors.conflict('Member already exists');
    await insertMember(tx, by, source, user, values);
  });
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
 * Unexpired direct owner memberships that keep the source owned, other than `userId`'s own on the
 * source: the source's other owners and the owners of the groups above it.
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
    .where(activeMembership)
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

/** A new level, and a new expiry (undefined keeps the current one). */
export interface MemberUpdate {
  accessLevel: number;
  expiresAt?: string | null;
}

/**
 * Changes (`update`) or removes (null) a membership under the rules above. The caller's level is
 * read after the lock: an owner demoted a moment ago no longer acts as one.
 */
async function changeMember(db: Db, by: AuditedBy, source: MemberSource, caller: CallerLevel, userId: number, update: MemberUpdate | null): Promise<MemberRow | null> {
  return db.transaction().execute(async (tx) => {
    await lockSource(tx, source);
    const callerLevel = await caller(tx);
    assertManagesMembers(callerLevel);
    if (update !== null) assertMayGrant(callerLevel, update.accessLevel);
    const member = await findMember(tx, source, userId);
    if (!member) throw errors.notFound('404 Member Not Found');
    if (member.access_level > callerLevel) throw errors.forbidden('403 Forbidden - only an owner can change or remove an owner');
    const losesOwner = member.access_level >= AccessLevel.owner && (update === null || update.accessLevel < AccessLevel.owner);
    if (losesOwner && (await otherOwners(tx, source, userId)) === 0) {
      const what = source.type === 'namespace' ? 'group' : 'project';
      throw errors.forbidden(`403 Forbidden - the last owner of a ${what} cannot be removed or demoted: add another owner first`);
    }
    const user = await getRow(tx, 'users', { id: userId });
    const before: MemberValues = { accessLevel: member.access_level, expiresAt: member.expires_at };
    if (update === null) {
      await tx.deleteFrom('members').where('id', '=', member.id).execute();
      await recordMemberEvent(tx, by, source, 'member_removed', user, before, null);
      return null;
    }
    const after: MemberValues = { accessLevel: update.accessLevel, expiresAt: update.expiresAt === undefined ? member.expires_at : update.expiresAt };
    if (after.accessLevel !== before.accessLevel || after.expiresAt !== before.expiresAt) {
      await tx.updateTable('members').set({ access_level: after.accessLevel, expires_at: after.expiresAt }).where('id', '=', member.id).execute();
      await recordMemberEvent(tx, by, source, 'member_access_level_changed', user, before, after);
    }
    return (await findMemberRow(tx, source, userId))!;
  });
}

export async function updateMember(db: Db, by: AuditedBy, source: MemberSource, caller: CallerLevel, userId: number, update: MemberUpdate): Promise<MemberRow> {
  return (await changeMember(db, by, source, caller, userId, update))!;
}

export async function removeMember(db: Db, by: AuditedBy, source: MemberSource, caller: CallerLevel, userId: number): Promise<void> {
  await changeMember(db, by, source, caller, userId, null);
}
