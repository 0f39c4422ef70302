import type { Kysely } from 'kysely';
import { autoIdColumn, autoIdType } from '../dialect-types.js';

/**
 * Failed password sign-ins per login and IP address, for the sign-in throttle
 * (src/core/sessions/sign-in-throttle.ts). In the database, not in process memory, so that
 * several Trove processes behind one balancer count the same attempts. Rows older than the
 * throttle window are deleted as new failures come in.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sign_in_failures')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('login', 'varchar(255)', (c) => c.notNull())
    .addColumn('ip_address', 'varchar(64)', (c) => c.notNull())
    .addColumn('failed_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sign_in_failures_key').on('sign_in_failures').columns(['login', 'ip_address', 'failed_at']).execute();
  await db.schema.createIndex('sign_in_failures_age').on('sign_in_failures').column('failed_at').execute();
}
