import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect-types.js';
import { DOWNLOAD_INDEX_EVENT, downloadedPackageId } from './006-download-events-index.js';

/**
 * SQLite: what a package write's audit events cost inside its transaction, cut down to the
 * event's own row. Measured with bench/ ("audit events on / off", side by side): 0.72 with
 * every index written at commit, about 0.87 without the nine filter indexes, about 0.92 without
 * the unique indexes on uuid and seq as well.
 *
 * 1. The nine filter indexes are brought up to date in batches after the commit
 *    (src/core/audit/audit-indexer.ts). Each of them cost a B-tree insert and a 4 KiB page in the
 *    commit's WAL, per event; a batch of a few hundred events shares those pages.
 *    `indexed` is 0 on an event not yet in them, and they are partial (`WHERE indexed = 1`).
 *    Every event up to audit_index_progress.indexed_through is indexed; a listing reads the mark,
 *    then the events up to it through the indexes and the few after it by id (audit-query.ts).
 *    `indexed` may only go from 0 to 1 (a trigger) and the mark only moves up, so an event
 *    never leaves the indexes and a mark once read stays true.
 * 2. The table is rebuilt without its unique indexes on uuid and seq, and without AUTOINCREMENT
 *    (two more B-trees and the sqlite_sequence page per write). seq is always the id (the
 *    recorder sets both, under the append lock), so the id, the table's own key, serves every
 *    lookup by seq; `trove audit verify` checks that both columns match the record. uuid is
 *    random (UUIDv7) and never looked up.
 *
 * The event itself, with its record and leaf hash, still commits in the writer's transaction;
 * only the index entries follow.
 *
 * PostgreSQL keeps its table and indexes (written at commit): events are inserted with
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

// The SQLite append-only triggers of migration 003 for the rebuilt table, plus `indexed`'s. Restated
// rather than imported, as the table is: what a migration does must not change with later code.
const CONTENT_COLUMNS = [
  'id', 'uuid', 'seq', 'event_name', 'outcome', 'author_id', 'author_username', 'actor_type', 'token_id',
  'entity_type', 'entity_id', 'entity_path', 'project_id', 'package_format', 'package_name', 'via', 'created_at', 'record',
];
const SQLITE_TRIGGERS = [
  `CREATE TRIGGER audit_events_no_content_update BEFORE UPDATE OF ${CONTENT_COLUMNS.join(', ')} ON audit_events
   BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END`,
  `CREATE TRIGGER audit_events_leaf_hash_once BEFORE UPDATE OF leaf_hash ON audit_events
   WHEN OLD.leaf_hash IS NOT NULL
   BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END`,
  `CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END`,
  `CREATE TRIGGER audit_events_indexed_once BEFORE UPDATE OF indexed ON audit_events
   WHEN OLD.indexed <> 0 OR NEW.indexed <> 1
   BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END`,
];

async function rebuildSqliteTable(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_events_rebuilt')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('uuid', 'varchar(36)', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('event_name', 'varchar(128)', (c) => c.notNull())
    .addColumn('outcome', 'varchar(16)', (c) => c.notNull())
    .addColumn('author_id', 'integer', (c) => c.notNull())
    .addColumn('author_username', 'varchar(255)')
    .addColumn('actor_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('token_id', 'integer')
    .addColumn('entity_type', 'varchar(16)', (c) => c.notNull())
    .addColumn('entity_id', 'integer', (c) => c.notNull())
    .addColumn('entity_path', 'varchar(1024)')
    .addColumn('project_id', 'integer')
    .addColumn('package_format', 'varchar(16)')
    .addColumn('package_name', 'varchar(255)')
    .addColumn('via', 'varchar(16)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('record', 'text', (c) => c.notNull())
    .addColumn('leaf_hash', 'varchar(64)')
    // Every event so far is indexed: they are copied into the indexes created below.
    .addColumn('indexed', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  const columns = sql.join([...CONTENT_COLUMNS, 'leaf_hash'].map((c) => sql.id(c)));
  await sql`INSERT INTO audit_events_rebuilt (${columns}) SELECT ${columns} FROM audit_events ORDER BY id`.execute(db);
  // DROP TABLE takes the old triggers and indexes with it (a DELETE trigger does not fire on it).
  await sql`DROP TABLE audit_events`.execute(db);
  await sql`ALTER TABLE audit_events_rebuilt RENAME TO audit_events`.execute(db);
  await sql`DELETE FROM sqlite_sequence WHERE name = 'audit_events'`.execute(db);
  for (const trigger of SQLITE_TRIGGERS) await sql.raw(trigger).execute(db);

  for (const [name, columns] of Object.entries(FILTER_INDEXES)) {
    await sql`CREATE INDEX ${sql.id(name)} ON audit_events (${sql.join(columns.map((c) => sql.id(c)))}) WHERE indexed = 1`.execute(db);
  }
  // Migration 006's, as it was. Not partial on `indexed`: download counts read it whatever the indexer has done.
  await sql`CREATE INDEX audit_events_downloads ON audit_events (${downloadedPackageId(db)}, created_at) WHERE event_name = ${sql.lit(DOWNLOAD_INDEX_EVENT)}`.execute(db);
}

export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await db.schema.alterTable('audit_events').addColumn('indexed', 'integer', (c) => c.notNull().defaultTo(1)).execute();
    return;
  }
  await rebuildSqliteTable(db);
  await db.schema
    .createTable('audit_index_progress')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('indexed_through', 'bigint', (c) => c.notNull())
    .execute();
  await sql`INSERT INTO audit_index_progress (id, indexed_through) SELECT 1, coalesce(max(id), 0) FROM audit_events`.execute(db);
}
