import type { Kysely } from 'kysely';
import { autoIdColumn, autoIdType } from '../dialect-types.js';

/**
 * Provenance documents published with a package file (docs/api.md#provenance): npm's Sigstore
 * bundle (`npm publish --provenance`) and PEP 740 attestations (`twine upload --attestations`),
 * each stored as the client sent it (`document`, JSON text) with its SHA-256 and the facts of its
 * in-toto statement. A document lives and dies with its file: it is hidden with a soft-deleted
 * version, comes back with a restore and is removed with the file (delete or purge). The foreign
 * key does not cascade; the package writer removes the documents before the file.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('package_file_provenance')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('package_file_id', 'integer', (c) => c.notNull().references('package_files.id'))
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('media_type', 'varchar(255)')
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('sha256', 'varchar(64)', (c) => c.notNull())
    .addColumn('predicate_type', 'varchar(255)', (c) => c.notNull())
    .addColumn('subjects', 'text', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('package_file_provenance_file').on('package_file_provenance').column('package_file_id').execute();
}
