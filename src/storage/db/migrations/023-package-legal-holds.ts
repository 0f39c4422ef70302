import type { Kysely } from 'kysely';
import { autoIdColumn, autoIdType } from '../dialect-types.js';

/**
 * Legal holds in force (docs/api.md#legal-holds, src/core/packages/legal-hold/): on one version
 * (package_id), on a package name in a project (format + normalized_name, covering versions
 * published later too) or on a whole project. A release deletes the row; the audit log keeps the
 * history. `target_key` makes one hold per target ('project', 'version:12', 'name:npm:@acme/ui').
 * Neither foreign key cascades: a held version or project is never deleted (the guard refuses
 * first, the database is the backstop).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('package_legal_holds')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id'))
    .addColumn('scope', 'varchar(16)', (c) => c.notNull())
    .addColumn('target_key', 'varchar(400)', (c) => c.notNull())
    .addColumn('package_id', 'integer', (c) => c.references('packages.id'))
    .addColumn('format', 'varchar(50)')
    .addColumn('name', 'varchar(255)')
    .addColumn('normalized_name', 'varchar(255)')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('reference', 'varchar(255)')
    .addColumn('set_by', 'text', (c) => c.notNull())
    .addColumn('set_at', 'varchar(32)', (c) => c.notNull())
    .addUniqueConstraint('package_legal_holds_target', ['project_id', 'target_key'])
    .execute();
  await db.schema.createIndex('package_legal_holds_package').on('package_legal_holds').column('package_id').execute();
}
