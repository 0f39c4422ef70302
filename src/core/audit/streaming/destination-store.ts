import type { Selectable } from 'kysely';
import type { Db, Tx } from '../../../storage/db/database.js';
import type { AuditStreamDestinationsTable } from '../../../storage/db/schema.js';
import type { Namespace } from '../../accounts/namespaces.js';
import { nowIso } from '../../clock.js';
import type { AuditLog } from '../audit-log.js';
import { INSTANCE_SCOPE, namespaceScope } from '../audit-scope.js';
import { systemAuditContext, type AuditContext, type AuditScope, type Changes } from '../audit-types.js';
import type { AuditEventName } from '../event-catalog.js';
import type { DestinationFields } from './destination-input.js';

// Streaming destinations of a top-level group or of the instance. Every change is audited in the
// same transaction (docs/architecture.md#what-is-recorded audit_event_streaming_destination_created/_updated/_deleted); the
// secret never appears in an event, and custom header values (often SIEM tokens) neither.

export type DestinationRow = Selectable<AuditStreamDestinationsTable>;
export type DestinationOwner = { kind: 'group'; group: Namespace } | { kind: 'instance' };

const TARGET_TYPE = 'AuditEvents::ExternalAuditEventDestination';

function scopeOf(owner: DestinationOwner): AuditScope {
  return owner.kind === 'group' ? namespaceScope(owner.group) : INSTANCE_SCOPE;
}

export async function ownerOf(db: Db, row: DestinationRow): Promise<DestinationOwner> {
  if (row.namespace_id === null) return { kind: 'instance' };
  const group = await db.selectFrom('namespaces').selectAll().where('id', '=', row.namespace_id).executeTakeFirstOrThrow();
  return { kind: 'group', group };
}

function destinationsOf(db: Db, owner: DestinationOwner) {
  return db
    .selectFrom('audit_stream_destinations')
    .selectAll()
    .where((eb) => (owner.kind === 'group' ? eb('namespace_id', '=', owner.group.id) : eb('namespace_id', 'is', null)));
}

export async function listDestinations(db: Db, owner: DestinationOwner): Promise<DestinationRow[]> {
  return destinationsOf(db, owner).orderBy('id').execute();
}

/** The owner's destination with this id; undefined for another owner's (the caller answers 404). */
export async function findDestination(db: Db, owner: DestinationOwner, id: number): Promise<DestinationRow | undefined> {
  return destinationsOf(db, owner).where('id', '=', id).executeTakeFirst();
}

function columnsOf(fields: Partial<DestinationFields>) {
  return {
    ...(fields.name !== undefined && { name: fields.name }),
    ...(fields.url !== undefined && { url: fields.url }),
    ...(fields.secret !== undefined && { secret: fields.secret }),
    ...(fields.eventNames !== undefined && { event_names: JSON.stringify(fields.eventNames) }),
    ...(fields.headers !== undefined && { headers: JSON.stringify(fields.headers) }),
    ...(fields.active !== undefined && { active: fields.active ? 1 : 0 }),
  };
}

/** What an audit event may say about a destination's fields: header names only, no secret. */
function auditedView(row: DestinationRow) {
  return {
    name: row.name,
    url: row.url,
    event_names: JSON.parse(row.event_names) as string[],
    header_names: Object.keys(JSON.parse(row.headers) as Record<string, string>),
    active: row.active === 1,
  };
}

async function recordChange(tx: Tx, audit: AuditLog, ctx: AuditContext, owner: DestinationOwner, row: DestinationRow, eventName: Extract<AuditEventName, `audit_event_streaming_destination_${string}`>, message: string, changes: Changes | null) {
  await audit.record(tx, ctx, {
    eventName,
    scope: scopeOf(owner),
    target: { id: row.id, type: TARGET_TYPE, details: row.name },
    customMessage: message,
    changes,
  });
}

export async function createDestination(db: Db, audit: AuditLog, ctx: AuditContext, owner: DestinationOwner, fields: DestinationFields): Promise<DestinationRow> {
  return db.transaction().execute(async (tx) => {
    const now = nowIso();
    const row = await tx
      .insertInto('audit_stream_destinations')
      .values({ namespace_id: owner.kind === 'group' ? owner.group.id : null, ...(columnsOf(fields) as Required<ReturnType<typeof columnsOf>>), created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    const view = auditedView(row);
    const changes = Object.fromEntries(Object.entries(view).map(([key, value]) => [key, { from: null, to: value }]));
    await recordChange(tx, audit, ctx, owner, row, 'audit_event_streaming_destination_created', `Created audit event streaming destination ${row.name} (${row.url})`, changes);
    return row;
  });
}

export async function updateDestination(db: Db, audit: AuditLog, ctx: AuditContext, owner: DestinationOwner, before: DestinationRow, fields: Partial<DestinationFields>): Promise<DestinationRow> {
  return db.transaction().execute(async (tx) => {
    const after = await tx
      .updateTable('audit_stream_destinations')
      .set({ ...columnsOf(fields), updated_at: nowIso() })
      .where('id', '=', before.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const [from, to] = [auditedView(before), auditedView(after)];
    const changes: Changes = {};
    for (const key of Object.keys(to) as (keyof typeof to)[]) {
      if (JSON.stringify(from[key]) !== JSON.stringify(to[key])) changes[key] = { from: from[key], to: to[key] };
    }
    if (before.secret !== after.secret) changes.secret = { from: '[rotated]', to: '[rotated]' };
    if (before.headers !== after.headers && !changes.header_names) changes.header_values = { from: '[changed]', to: '[changed]' };
    if (Object.keys(changes).length > 0) {
      await recordChange(tx, audit, ctx, owner, after, 'audit_event_streaming_destination_updated', `Changed audit event streaming destination ${after.name}: ${Object.keys(changes).join(', ')}`, changes);
    }
    return after;
  });
}

/** Deletes the destination with its backlog and dead letters (nothing is left to deliver to). */
export async function deleteDestination(db: Db, audit: AuditLog, ctx: AuditContext, owner: DestinationOwner, row: DestinationRow): Promise<void> {
  await db.transaction().execute((tx) => deleteDestinationIn(tx, audit, ctx, owner, row));
}

/** The same inside the caller's transaction (a deleted group takes its destinations with it). */
export async function deleteDestinationIn(tx: Tx, audit: AuditLog, ctx: AuditContext, owner: DestinationOwner, row: DestinationRow): Promise<void> {
  await tx.deleteFrom('audit_stream_outbox').where('destination_id', '=', row.id).execute();
  await tx.deleteFrom('audit_stream_dead_letters').where('destination_id', '=', row.id).execute();
  await tx.deleteFrom('audit_stream_destinations').where('id', '=', row.id).execute();
  await recordChange(tx, audit, ctx, owner, row, 'audit_event_streaming_destination_deleted', `Deleted audit event streaming destination ${row.name} (${row.url})`, null);
}

/** A receiver answered 410 Gone: the destination is switched off, by Trove, on the record. */
export async function deactivateGoneDestination(db: Db, audit: AuditLog, row: DestinationRow, reason: string): Promise<void> {
  const owner = await ownerOf(db, row);
  await db.transaction().execute(async (tx) => {
    const updated = await tx
      .updateTable('audit_stream_destinations')
      .set({ active: 0, last_error: reason, last_error_at: nowIso(), updated_at: nowIso() })
      .where('id', '=', row.id)
      .where('active', '=', 1)
      .returningAll()
      .executeTakeFirst();
    if (!updated) return; // already switched off (by an owner, or another worker)
    const ctx = systemAuditContext('Audit event streaming');
    await recordChange(tx, audit, ctx, owner, updated, 'audit_event_streaming_destination_updated', `Deactivated audit event streaming destination ${row.name}: ${reason}`, { active: { from: true, to: false } });
  });
}
