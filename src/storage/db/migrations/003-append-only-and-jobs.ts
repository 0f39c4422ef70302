import { sql, type Kysely } from 'kysely';
import { autoIdColumn, autoIdType, isPostgres } from '../dialect-types.js';

// 1. The audit log is append-only in the database itself, whatever code runs against it:
//    UPDATE and DELETE of events are rejected (leaf_hash, derived from the content, may be set
//    once from NULL when the log is sealed). PostgreSQL also rejects TRUNCATE.
// 2. Indexes for listing and filtering large logs.
// 3. Tables for background jobs shared by several Trove processes (src/core/jobs).

const CONTENT_COLUMNS = [
  'id', 'uuid', 'seq', 'event_name', 'outcome', 'author_id', 'author_username', 'actor_type', 'token_id',
  'entity_type', 'entity_id', 'entity_path', 'project_id', 'package_format', 'package_name', 'via', 'created_at', 'record',
];

async function sqliteAppendOnly(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `CREATE TRIGGER audit_events_no_content_update BEFORE UPDATE OF ${CONTENT_COLUMNS.join(', ')} ON audit_events
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END`,
    )
    .execute(db);
  await sql
    .raw(
      `CREATE TRIGGER audit_events_leaf_hash_once BEFORE UPDATE OF leaf_hash ON audit_events
       WHEN OLD.leaf_hash IS NOT NULL
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END`,
    )
    .execute(db);
  await sql
    .raw(`CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END`)
    .execute(db);
}

async function postgresAppendOnly(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `CREATE FUNCTION trove_audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE unchanged audit_events;
       BEGIN
         IF TG_OP = 'UPDATE' AND OLD.leaf_hash IS NULL THEN
           unchanged := NEW;
           unchanged.leaf_hash := NULL;
           IF unchanged IS NOT DISTINCT FROM OLD THEN RETURN NEW; END IF;
         END IF;
         RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'insufficient_privilege';
       END $$`,
    )
    .execute(db);
  await sql
    .raw(
      `CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
       FOR EACH ROW EXECUTE FUNCTION trove_audit_events_append_only()`,
    )
    .execute(db);
  await sql
    .raw(
      `CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
       FOR EACH STATEMENT EXECUTE FUNCTION trove_audit_events_append_only()`,
    )
    .execute(db);
}

export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) await postgresAppendOnly(db);
  else await sqliteAppendOnly(db);

  // Filtered listings walk these newest-first by id (keyset pagination).
  await db.schema.createIndex('audit_events_package').on('audit_events').columns(['package_name', 'id']).execute();
  await db.schema.createIndex('audit_events_token').on('audit_events').columns(['token_id', 'id']).execute();
  await db.schema.createIndex('audit_events_entity_name').on('audit_events').columns(['entity_type', 'entity_id', 'event_name', 'id']).execute();
  if (isPostgres(db)) {
    // created_at grows with id, so a BRIN index answers date ranges on huge tables for a few pages of disk.
    await sql`CREATE INDEX audit_events_created_brin ON audit_events USING brin (created_at)`.execute(db);
  }

  await db.schema
    .createTable('job_leases')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('holder', 'varchar(128)', (c) => c.notNull())
    .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('job_runs')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('name', 'varchar(64)', (c) => c.notNull())
    .addColumn('due_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('holder', 'varchar(128)', (c) => c.notNull())
    .addColumn('started_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('finished_at', 'varchar(32)')
    .addColumn('outcome', 'varchar(16)')
    .addColumn('detail', 'text')
    .addUniqueConstraint('job_runs_once_per_due_time', ['name', 'due_at'])
    .execute();
}
