import type { Kysely } from 'kysely';

/**
 * A membership may expire (GitLab's `expires_at`, a date `YYYY-MM-DD`, valid through that day in
 * UTC): from the next day on it grants nothing (src/core/accounts/permissions.ts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('members').addColumn('expires_at', 'varchar(10)').execute();
}
