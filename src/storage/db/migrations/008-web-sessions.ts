import type { Kysely } from 'kysely';
import { autoIdColumn, autoIdType } from '../dialect-types.js';

/**
 * Web UI sessions (src/core/sessions). Kept in the database, not in process memory, so that
 * several Trove processes behind one balancer share them. Only the SHA-256 of the cookie's
 * secret is stored. A session started with a personal access token remembers it, acts with
 * its rights and ends when the token is revoked or expires.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('web_sessions')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('session_digest', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('personal_access_token_id', 'integer', (c) => c.references('personal_access_tokens.id'))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('web_sessions_expiry').on('web_sessions').column('expires_at').execute();
}
