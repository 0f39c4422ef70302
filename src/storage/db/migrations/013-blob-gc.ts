import type { Kysely } from 'kysely';
import { autoIdColumn, autoIdType } from '../dialect-types.js';

/**
 * Blob garbage collection (src/core/packages/blob-gc.ts). In the database, so that every Trove
 * process on one database sees the same uploads in progress.
 * - pending_uploads: an upload whose bytes are about to be stored under their sha256 but whose
 *   file row has not committed yet; registered before the bytes reach their content address,
 *   removed in the transaction that inserts the file row.
 * - unreferenced_blobs: blobs the collector found needed by no file row and no pending upload,
 *   and since when; one of them is deleted only once that is older than the grace period.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('pending_uploads')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('sha256', 'varchar(64)', (c) => c.notNull())
    .addColumn('registered_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('pending_uploads_sha256').on('pending_uploads').column('sha256').execute();
  await db.schema.createIndex('pending_uploads_age').on('pending_uploads').column('registered_at').execute();
  await db.schema
    .createTable('unreferenced_blobs')
    .addColumn('sha256', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('since', 'varchar(32)', (c) => c.notNull())
    .execute();
}
