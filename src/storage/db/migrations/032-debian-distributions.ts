import type { Kysely } from 'kysely';
import { autoIdColumn, autoIdType } from '../dialect-types.js';

/**
 * Debian distributions of a project (src/formats/debian/debian-distributions.ts, docs/api.md#debian):
 * the Release file's fields, the components and architectures (JSON arrays), and the distribution's
 * OpenPGP signing key. The private key is stored encrypted (AES-256-GCM) with a key-encryption key
 * kept outside the database (TROVE_DEBIAN_SIGNING_KEY_FILE): a reader of the database cannot sign a
 * Release file with it. A distribution goes with its project (cascade).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('debian_distributions')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('codename', 'varchar(255)', (c) => c.notNull())
    .addColumn('suite', 'varchar(255)')
    .addColumn('origin', 'varchar(255)')
    .addColumn('label', 'varchar(255)')
    .addColumn('version', 'varchar(255)')
    .addColumn('description', 'text')
    .addColumn('valid_time_duration_seconds', 'integer')
    .addColumn('components', 'text', (c) => c.notNull())
    .addColumn('architectures', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('key_fingerprint', 'varchar(64)', (c) => c.notNull())
    .addColumn('encrypted_private_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .addUniqueConstraint('debian_distributions_project_codename', ['project_id', 'codename'])
    .execute();
}
