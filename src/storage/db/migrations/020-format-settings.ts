import type { Kysely } from 'kysely';

/**
 * The yes/no settings package formats declare (PackageFormat.settings, e.g. generic_duplicates_allowed),
 * per namespace: a row holds a value set there; no row means inherited from the parent namespace,
 * or the format's default at the top. Removed with the namespace.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('namespace_format_settings')
    .addColumn('namespace_id', 'integer', (c) => c.notNull().references('namespaces.id').onDelete('cascade'))
    .addColumn('key', 'varchar(100)', (c) => c.notNull())
    .addColumn('value', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('namespace_format_settings_pkey', ['namespace_id', 'key'])
    .execute();
}
