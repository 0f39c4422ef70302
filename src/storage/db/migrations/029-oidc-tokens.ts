import type { Kysely } from 'kysely';
import { autoIdColumn, autoIdType } from '../dialect-types.js';

/**
 * Tokens minted by `POST /api/v4/oidc/token` (src/core/oidc/oidc-tokens.ts): a CI job's verified ID
 * token exchanged for a short-lived `trove_oidc_…` token that can publish to one project only.
 * Stored like every Trove secret: only its SHA-256. `claims` holds the identifying claims of the
 * ID token (JSON), for the audit actor and the pipeline of every event the token records; the
 * publisher's package_type / package_name_pattern limits are copied so that a later change of the
 * publisher does not widen a token already minted. trusted_publisher_id has no foreign key: a
 * publisher may be deleted while its tokens still name it in audit events. Expired rows are purged
 * by a background job (oidc-token-purge.ts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('oidc_tokens')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('token_digest', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('trusted_publisher_id', 'integer', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('claims', 'text', (c) => c.notNull())
    .addColumn('package_type', 'varchar(50)')
    .addColumn('package_name_pattern', 'varchar(255)')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('oidc_tokens_expires_at').on('oidc_tokens').column('expires_at').execute();
  await db.schema.createIndex('oidc_tokens_project').on('oidc_tokens').column('project_id').execute();
}
