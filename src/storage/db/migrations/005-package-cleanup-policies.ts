import type { Kysely } from 'kysely';
import { autoIdColumn, autoIdType } from '../dialect-types.js';

/**
 * Retention (cleanup) policies, one per project (docs/api.md#cleanup-policies, src/core/cleanup). `next_run_at` is
 * the claim token of the scheduler: a run advances it with UPDATE ... WHERE next_run_at = <old>,
 * so two Trove processes on one database never run the same due policy twice.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('package_cleanup_policies')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('project_id', 'integer', (c) => c.notNull().unique().references('projects.id'))
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cadence', 'varchar(16)', (c) => c.notNull())
    .addColumn('keep_n_versions', 'integer')
    .addColumn('older_than_days', 'integer')
    .addColumn('name_regex', 'varchar(255)')
    .addColumn('name_regex_keep', 'varchar(255)')
    .addColumn('version_regex_keep', 'varchar(255)')
    .addColumn('next_run_at', 'varchar(32)')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('package_cleanup_policies_due').on('package_cleanup_policies').columns(['enabled', 'next_run_at']).execute();
}
