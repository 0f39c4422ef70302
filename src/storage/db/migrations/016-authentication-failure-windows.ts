import type { Kysely } from 'kysely';

/**
 * Repeated identical authentication failures (same credential prefix, IP address and reason) are
 * recorded as one event per minute with a count (docs/architecture.md#what-is-recorded; src/core/audit/authentication-failures.ts).
 * A window is a row: the first failure is recorded at once, the repeats counted here until the
 * window is flushed into one event. In the database, so that several processes count together.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('authentication_failure_windows')
    .addColumn('credential_prefix', 'varchar(64)', (c) => c.notNull())
    .addColumn('ip_address', 'varchar(64)', (c) => c.notNull())
    .addColumn('reason', 'varchar(255)', (c) => c.notNull())
    .addColumn('started_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('repeats', 'integer', (c) => c.notNull())
    // The first failure's audit context and event, to describe the repeats when they are recorded.
    .addColumn('first_failure', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('authentication_failure_windows_pk', ['credential_prefix', 'ip_address', 'reason'])
    .execute();
}
