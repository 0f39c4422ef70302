import type { Kysely } from 'kysely';

/**
 * oidc_used_jtis: the `jti` of every OIDC ID token exchanged for a publish token, so that a token intercepted
 * in a CI log cannot be exchanged a second time. A row is only needed while its token could still be
 * accepted (until `exp` plus the clock leeway); the `purge-expired-oidc-jtis` job removes it after.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('oidc_used_jtis')
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('jti', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('used_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('oidc_used_jtis_pkey', ['issuer', 'jti'])
    .execute();
  await db.schema.createIndex('oidc_used_jtis_expires_at').on('oidc_used_jtis').column('expires_at').execute();
}
