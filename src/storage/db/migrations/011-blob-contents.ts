import type { Kysely } from 'kysely';
import { isPostgres } from '../dialect-types.js';

/**
 * The bytes of small package files that arrived whole in memory (an npm publish's tarball), kept
 * in the database and written in the same transaction as the file row that names them
 * (src/storage/blobs/inline-blob-store.ts). Content-addressed like the blob store: one row per
 * sha256, shared by every file with those bytes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('blob_contents')
    .addColumn('sha256', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('data', isPostgres(db) ? 'bytea' : 'blob', (c) => c.notNull())
    .execute();
}
