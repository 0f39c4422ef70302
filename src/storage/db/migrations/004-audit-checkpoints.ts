import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect-types.js';

/**
 * Signed checkpoints of the audit log's Merkle tree (docs/architecture.md#tamper-evidence). One row per sealed tree size;
 * `frontier` keeps the tree's compact range so the next seal appends instead of rehashing.
 * Checkpoints are append-only like the events they seal.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_checkpoints')
    .addColumn('tree_size', 'bigint', (c) => c.primaryKey())
    .addColumn('root_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('key_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('frontier', 'text', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  if (isPostgres(db)) {
    await sql
      .raw(
        `CREATE FUNCTION trove_audit_checkpoints_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN RAISE EXCEPTION 'audit checkpoints are append-only' USING ERRCODE = 'insufficient_privilege'; END $$`,
      )
      .execute(db);
    await sql
      .raw(
        `CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
         FOR EACH ROW EXECUTE FUNCTION trove_audit_checkpoints_append_only()`,
      )
      .execute(db);
  } else {
    await sql
      .raw(`CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END`)
      .execute(db);
    await sql
      .raw(`CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END`)
      .execute(db);
  }
}
