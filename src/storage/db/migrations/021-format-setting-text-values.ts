import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect-types.js';

/**
 * Format settings can hold a pattern as well as yes/no (GitLab's <format>_duplicate_exception_regex
 * next to <format>_duplicates_allowed), so a stored value becomes text: 'true'/'false' for a yes/no
 * setting, the pattern itself (possibly '') for a regex one; the declared setting's kind says which.
 * One text column rather than a second, nullable one next to the integer: every row then has exactly
 * one value and no placeholder in a column it does not use. PostgreSQL changes the column's type in
 * place; SQLite cannot, so there the table is rebuilt (nothing references it) and its rows copied.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql`ALTER TABLE namespace_format_settings ALTER COLUMN value TYPE text USING (CASE WHEN value = 1 THEN 'true' ELSE 'false' END)`.execute(db);
    return;
  }
  await db.schema
    .createTable('namespace_format_settings_text')
    .addColumn('namespace_id', 'integer', (c) => c.notNull().references('namespaces.id').onDelete('cascade'))
    .addColumn('key', 'varchar(100)', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('namespace_format_settings_pkey', ['namespace_id', 'key'])
    .execute();
  await sql`INSERT INTO namespace_format_settings_text (namespace_id, key, value)
            SELECT namespace_id, key, CASE WHEN value = 1 THEN 'true' ELSE 'false' END FROM namespace_format_settings`.execute(db);
  await db.schema.dropTable('namespace_format_settings').execute();
  await db.schema.alterTable('namespace_format_settings_text').renameTo('namespace_format_settings').execute();
}
