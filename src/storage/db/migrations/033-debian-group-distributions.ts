import type { Kysely } from 'kysely';
import { autoIdColumn, autoIdType } from '../dialect-types.js';

/**
 * Debian distributions of a group (src/formats/debian/debian-distributions.ts, docs/api.md#debian):
 * the same fields and signing key as a project's (migration 032), owned by a group. Its apt source
 * lists the packages that the group's projects, and those of its subgroups, published to a project
 * distribution of the same codename. A distribution goes with its group (cascade).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('debian_group_distributions')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('group_id', 'integer', (c) => c.notNull().references('namespaces.id').onDelete('cascade'))
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
    .addUniqueConstraint('debian_group_distributions_group_codename', ['group_id', 'codename'])
    .execute();
}
