import { sql, type Kysely } from 'kysely';
import { autoIdColumn, autoIdType } from '../dialect-types.js';

/**
 * Trusted publishers (docs/api.md#trusted-publishers, src/core/oidc/trusted-publishers.ts): the CI identities whose OIDC
 * ID tokens may be exchanged for a short-lived publish token. A publisher belongs to a project or to
 * a group (inherited by every project below it), never both, and goes with it (cascade). `issuer` is
 * stored exactly as the tokens' `iss` claim spells it; `claims` is a JSON object of claim name →
 * condition (exact value or `*` glob). `created_by` names the user who registered it (users are
 * never removed, only marked deleted); `last_used_at` is its last token exchange (the access review's
 * stale credentials).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('trusted_publishers')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('project_id', 'integer', (c) => c.references('projects.id').onDelete('cascade'))
    .addColumn('group_id', 'integer', (c) => c.references('namespaces.id').onDelete('cascade'))
    .addColumn('issuer', 'varchar(255)', (c) => c.notNull())
    .addColumn('audience', 'varchar(255)', (c) => c.notNull())
    .addColumn('claims', 'text', (c) => c.notNull())
    .addColumn('package_type', 'varchar(32)')
    .addColumn('package_name_pattern', 'varchar(255)')
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('last_used_at', 'varchar(32)')
    .addCheckConstraint('trusted_publishers_one_owner', sql`(project_id IS NULL) <> (group_id IS NULL)`)
    .execute();
  // The token exchange looks publishers up by issuer (isTrustedIssuer, audiencesOf, matchingPublishers).
  await db.schema.createIndex('trusted_publishers_issuer').on('trusted_publishers').column('issuer').execute();
  await db.schema.createIndex('trusted_publishers_project').on('trusted_publishers').column('project_id').execute();
  await db.schema.createIndex('trusted_publishers_group').on('trusted_publishers').column('group_id').execute();
}
