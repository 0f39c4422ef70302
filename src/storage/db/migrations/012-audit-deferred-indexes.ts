import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect-types.js';

/**
 * SQLite: the audit log's filter indexes are brought up to date in batches after the commit,
 * instead of row by row inside every package write (src/core/audit/audit-indexer.ts).
 *
 * Why: a package write records two events in its own transaction, and each of the nine filter
 * indexes then costs a B-tree insert and a 4 KiB page in the commit's WAL, twice. That was the
 * larger part of what auditing cost a publish (bench/, "audit events on / off": 0.72 with the
 * indexes written at once, 0.87 without them, measured side by side). A batch of a few hundred
 * events shares those index pages.
 *
 * How queries stay complete: `indexed` is 0 on an event not yet in the filter indexes, and the
 * indexes are partial (`WHERE indexed = 1`). Every event up to audit_index_progress.indexed_through
 * is indexed; a listing reads the indexed events through the indexes and the few after the mark
 * by id (audit-query.ts), in one statement, so it sees one snapshot of both.
 *
 * The event itself, with its record and leaf hash, still commits in the writer's transaction;
 * only the index entries follow. `indexed` may only go from 0 to 1 (a trigger), so an event can
 * never be taken out of the indexes again.
 *
 * PostgreSQL keeps its indexes as they are (written at commit): events are inserted with
 * indexed = 1, and its append-only trigger already refuses any change of the column.
 */

const FILTER_INDEXES: Record<string, string[]> = {
  audit_events_entity: ['entity_type', 'entity_id', 'id'],
  audit_events_project: ['project_id', 'id'],
  audit_events_name: ['event_name', 'id'],
  audit_events_author: ['author_id', 'id'],
  audit_events_created: ['created_at'],
  audit_events_package: ['package_name', 'id'],
  audit_events_token: ['token_id', 'id'],
  audit_events_entity_name: ['entity_type', 'entity_id', 'event_name', 'id'],
  audit_events_entity_package: ['entity_type', 'entity_id', 'package_name', 'event_name', 'id'],
};

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_events').addColumn('indexed', 'integer', (c) => c.notNull().defaultTo(1)).execute();
  if (isPostgres(db)) return;

  for (const [name, columns] of Object.entries(FILTER_INDEXES)) {
    await db.schema.dropIndex(name).execute();
    await sql`CREATE INDEX ${sql.id(name)} ON audit_events (${sql.join(columns.map((c) => sql.id(c)))}) WHERE indexed = 1`.execute(db);
  }
  await sql
    .raw(
      `CREATE TRIGGER audit_events_indexed_once BEFORE UPDATE OF indexed ON audit_events
       WHEN OLD.indexed <> 0 OR NEW.indexed <> 1
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END`,
    )
    .execute(db);

  await db.schema
    .createTable('audit_index_progress')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('indexed_through', 'bigint', (c) => c.notNull())
    .execute();
  // Every event so far is indexed (the column's default).
  await sql`INSERT INTO audit_index_progress (id, indexed_through) SELECT 1, coalesce(max(id), 0) FROM audit_events`.execute(db);
}
