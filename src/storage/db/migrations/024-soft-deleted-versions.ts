import type { Kysely } from 'kysely';

/**
 * Deletes are soft (docs/api.md#deleted-versions): a deleted version keeps its row and files with
 * status pending_destruction, when (deleted_at) and by whom (deleted_by, the actor snapshot) it
 * was deleted, and the dist-tags that pointed at it (deleted_tags, a JSON list) so a restore can
 * put back those no other version has taken since. The purge job finds expired ones by
 * (status, deleted_at).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('packages')
    .addColumn('deleted_at', 'varchar(32)')
    .execute();
  await db.schema.alterTable('packages').addColumn('deleted_by', 'text').execute();
  await db.schema.alterTable('packages').addColumn('deleted_tags', 'text').execute();
  await db.schema.createIndex('packages_deleted_at').on('packages').columns(['status', 'deleted_at']).execute();
}
