import type { Kysely } from 'kysely';
import { autoIdColumn, autoIdType } from '../dialect-types.js';

// Audit event streaming (docs/api.md#audit-event-streaming, src/core/audit/streaming):
// - destinations on a top-level group (namespace_id) or the instance (namespace_id null);
// - the outbox: one row per event and matching destination, written in the event's transaction
//   and deleted when the destination answered 2xx, so its rows are exactly the backlog;
// - dead letters: outbox rows whose retries ran out, kept until replayed.
// Events are read from audit_events by seq (= id), so the outbox stores no copy of them.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_stream_destinations')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('namespace_id', 'integer', (c) => c.references('namespaces.id'))
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('url', 'varchar(2048)', (c) => c.notNull())
    // Standard Webhooks secret (whsec_<base64>); needed in clear to sign, never served after creation.
    .addColumn('secret', 'varchar(128)', (c) => c.notNull())
    .addColumn('event_names', 'text', (c) => c.notNull()) // JSON array; empty = every event
    .addColumn('headers', 'text', (c) => c.notNull()) // JSON object of custom headers
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
    // Circuit breaker: set while open; the next attempt after it is a probe.
    .addColumn('paused_until', 'varchar(32)')
    .addColumn('last_delivered_seq', 'bigint')
    .addColumn('last_delivered_at', 'varchar(32)')
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', 'varchar(32)')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_stream_destinations_namespace').on('audit_stream_destinations').columns(['namespace_id', 'active']).execute();

  await db.schema
    .createTable('audit_stream_outbox')
    .addColumn('destination_id', 'integer', (c) => c.notNull().references('audit_stream_destinations.id'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('last_error', 'text')
    // The head of a destination's backlog is its lowest seq: the primary key orders it.
    .addPrimaryKeyConstraint('audit_stream_outbox_pk', ['destination_id', 'seq'])
    .execute();

  await db.schema
    .createTable('audit_stream_dead_letters')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('destination_id', 'integer', (c) => c.notNull().references('audit_stream_destinations.id'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addUniqueConstraint('audit_stream_dead_letters_once', ['destination_id', 'seq'])
    .execute();
}
