import type { Db, Tx } from '../../storage/db/database.js';
import { ancestorsOf } from '../accounts/namespaces.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { AuditContext, Changes } from '../audit/audit-types.js';
import { fieldChanges, patchedFields } from '../audit/field-changes.js';
import { settingsOwnerAudit, settingsOwnerPath, type SettingsOwner } from '../audit/settings-owner.js';
import { nowIso } from '../clock.js';
import { errors } from '../errors.js';
import { PUBLISHER_LIMITS, validatedPublisher, type PublisherFields } from './trusted-publisher-fields.js';
import { publisherOf, type TrustedPublisher } from './trusted-publishers.js';

// Registering, changing and removing trusted publishers (docs/api.md#trusted-publishers); every
// change is audited with before/after in its transaction.

/** Whose publishers: a project's own, or a group's (inherited by every project below it). */
export type PublisherOwner = SettingsOwner;

const FIELD_NAMES = ['issuer', 'audience', 'claims', 'package_type', 'package_name_pattern'] as const;

export interface SaveOptions {
  allowInsecureIssuers: boolean;
}

function ownerColumn(owner: PublisherOwner) {
  return owner.kind === 'project' ? ({ column: 'project_id', id: owner.project.id } as const) : ({ column: 'group_id', id: owner.group.id } as const);
}

export function fieldsOf(publisher: TrustedPublisher): PublisherFields {
  const { issuer, audience, claims, package_type, package_name_pattern } = publisher;
  return { issuer, audience, claims, package_type, package_name_pattern };
}

/** The owner's own publishers, oldest first. */
export async function publishersOf(db: Db, owner: PublisherOwner): Promise<TrustedPublisher[]> {
  const { column, id } = ownerColumn(owner);
  const rows = await db.selectFrom('trusted_publishers').selectAll().where(column, '=', id).orderBy('id').execute();
  return rows.map(publisherOf);
}

/** The publishers of the groups above a project, nearest group first, each with the group it comes from. */
export async function inheritedPublishers(db: Db, project: { namespace_id: number }): Promise<Array<{ publisher: TrustedPublisher; group: { id: number; full_path: string } }>> {
  const namespace = await db.selectFrom('namespaces').selectAll().where('id', '=', project.namespace_id).executeTakeFirstOrThrow();
  if (namespace.kind !== 'group') return [];
  const groups = await ancestorsOf(db, namespace);
  const rows = await db.selectFrom('trusted_publishers').selectAll().where('group_id', 'in', groups.map((g) => g.id)).orderBy('id').execute();
  return groups.flatMap((group) => rows.filter((row) => row.group_id === group.id).map((row) => ({ publisher: publisherOf(row), group: { id: group.id, full_path: group.full_path } })));
}

/** One of the owner's own publishers; 404 for another owner's, as for one that does not exist. */
export async function publisherOfOwner(db: Db | Tx, owner: PublisherOwner, publisherId: number): Promise<TrustedPublisher> {
  const { column, id } = ownerColumn(owner);
  const row = await db.selectFrom('trusted_publishers').selectAll().where('id', '=', publisherId).where(column, '=', id).executeTakeFirst();
  if (!row) throw errors.notFound('404 Trusted Publisher Not Found');
  return publisherOf(row);
}

type PublisherEvent = 'trusted_publisher_created' | 'trusted_publisher_updated' | 'trusted_publisher_deleted';

async function recordPublisherEvent(tx: Tx, audit: AuditLog, ctx: AuditContext, owner: PublisherOwner, eventName: PublisherEvent, publisher: TrustedPublisher, changes: Changes): Promise<void> {
  const path = settingsOwnerPath(owner);
  const verb = eventName.slice('trusted_publisher_'.length);
  await audit.record(tx, ctx, {
    eventName,
    ...(await settingsOwnerAudit(tx, owner)),
    target: { id: publisher.id, type: 'TrustedPublisher', details: `${path}: ${publisher.issuer}` },
    customMessage: `Trusted publisher ${publisher.id} (${publisher.issuer}) ${verb} on ${path}`,
    changes,
  });
}

/** Claims compare by content, not by the order their names were written in. */
function comparable(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  return JSON.stringify(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function changesBetween(before: PublisherFields | null, after: PublisherFields | null): Changes {
  return fieldChanges(FIELD_NAMES, before, after, (a, b) => comparable(a) === comparable(b));
}

async function refuseOverLimit(tx: Tx, owner: PublisherOwner): Promise<void> {
  const { column, id } = ownerColumn(owner);
  const { count } = await tx.selectFrom('trusted_publishers').select((eb) => eb.fn.countAll<number | string>().as('count')).where(column, '=', id).executeTakeFirstOrThrow();
  if (Number(count) >= PUBLISHER_LIMITS.perOwner) throw errors.unprocessable(`A ${owner.kind} can have at most ${PUBLISHER_LIMITS.perOwner} trusted publishers`);
}

export async function createPublisher(db: Db, audit: AuditLog, ctx: AuditContext, owner: PublisherOwner, input: PublisherFields, createdBy: number | null, options: SaveOptions): Promise<TrustedPublisher> {
  const fields = validatedPublisher(input, options);
  return db.transaction().execute(async (tx) => {
    await refuseOverLimit(tx, owner);
    const at = nowIso();
    const { column, id } = ownerColumn(owner);
    const row = await tx
      .insertInto('trusted_publishers')
      .values({ ...fields, claims: JSON.stringify(fields.claims), project_id: null, group_id: null, [column]: id, created_by: createdBy, created_at: at, updated_at: at })
      .returningAll()
      .executeTakeFirstOrThrow();
    const publisher = publisherOf(row);
    await recordPublisherEvent(tx, audit, ctx, owner, 'trusted_publisher_created', publisher, changesBetween(null, fields));
    return publisher;
  });
}

/** Applies the fields given (claims are replaced as a whole); a change that changes nothing records nothing. */
export async function updatePublisher(db: Db, audit: AuditLog, ctx: AuditContext, owner: PublisherOwner, publisherId: number, patch: Partial<PublisherFields>, options: SaveOptions): Promise<TrustedPublisher> {
  return db.transaction().execute(async (tx) => {
    const publisher = await publisherOfOwner(tx, owner, publisherId);
    const before = fieldsOf(publisher);
    const after = validatedPublisher(patchedFields(before, patch), options);
    const changes = changesBetween(before, after);
    if (Object.keys(changes).length === 0) return publisher;
    const row = await tx
      .updateTable('trusted_publishers')
      .set({ ...after, claims: JSON.stringify(after.claims), updated_at: nowIso() })
      .where('id', '=', publisher.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const updated = publisherOf(row);
    await recordPublisherEvent(tx, audit, ctx, owner, 'trusted_publisher_updated', updated, changes);
    return updated;
  });
}

export async function deletePublisher(db: Db, audit: AuditLog, ctx: AuditContext, owner: PublisherOwner, publisherId: number): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const publisher = await publisherOfOwner(tx, owner, publisherId);
    await tx.deleteFrom('trusted_publishers').where('id', '=', publisher.id).execute();
    await recordPublisherEvent(tx, audit, ctx, owner, 'trusted_publisher_deleted', publisher, changesBetween(fieldsOf(publisher), null));
  });
}
