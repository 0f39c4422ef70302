import { sql, type Kysely } from 'kysely';
import { autoIdColumn, autoIdType } from '../dialect-types.js';

/**
 * Package protection rules (docs/api.md#package-protection-rules, src/core/packages/protection): a
 * rule belongs to a project or to a group (inherited by every project below it), never both.
 * Levels are GitLab's names ('maintainer', 'owner', 'admin'); null leaves that operation to the
 * ordinary permissions. Removed with their project or group.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('package_protection_rules')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('project_id', 'integer', (c) => c.references('projects.id').onDelete('cascade'))
    .addColumn('namespace_id', 'integer', (c) => c.references('namespaces.id').onDelete('cascade'))
    .addColumn('package_name_pattern', 'varchar(255)', (c) => c.notNull())
    .addColumn('package_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('minimum_access_level_for_push', 'varchar(16)')
    .addColumn('minimum_access_level_for_delete', 'varchar(16)')
    .addColumn('allow_deploy_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .addCheckConstraint('package_protection_rules_one_owner', sql`(project_id IS NULL) <> (namespace_id IS NULL)`)
    .execute();
  await db.schema.createIndex('package_protection_rules_project').on('package_protection_rules').column('project_id').execute();
  await db.schema.createIndex('package_protection_rules_namespace').on('package_protection_rules').column('namespace_id').execute();
}
