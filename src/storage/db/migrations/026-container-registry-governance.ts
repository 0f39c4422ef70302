import type { Kysely } from 'kysely';
import { autoIdColumn, autoIdType } from '../dialect-types.js';

/**
 * Governance of container tags (src/container-registry/governance):
 * - container_tag_protection_rules: GitLab's protected and immutable tag rules of a project. A rule
 *   with both levels null is immutable (GitLab's model): nobody moves or deletes a matching tag.
 * - container_expiration_policies: GitLab's container expiration (cleanup) policy, one per project;
 *   cadence, keep_n and older_than in GitLab's spellings ('1d', 10, '90d'), regexes validated when saved.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('container_tag_protection_rules')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('tag_name_pattern', 'varchar(255)', (c) => c.notNull())
    .addColumn('minimum_access_level_for_push', 'varchar(16)')
    .addColumn('minimum_access_level_for_delete', 'varchar(16)')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('container_tag_protection_rules_project').on('container_tag_protection_rules').column('project_id').execute();

  await db.schema
    .createTable('container_expiration_policies')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('project_id', 'integer', (c) => c.notNull().unique().references('projects.id').onDelete('cascade'))
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('cadence', 'varchar(16)', (c) => c.notNull())
    .addColumn('keep_n', 'integer')
    .addColumn('older_than', 'varchar(16)')
    .addColumn('name_regex', 'varchar(255)')
    .addColumn('name_regex_keep', 'varchar(255)')
    .addColumn('next_run_at', 'varchar(32)')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .execute();
}
