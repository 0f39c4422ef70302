import type { Kysely } from 'kysely';
import { autoIdColumn, autoIdType } from '../dialect-types.js';

/**
 * The OCI container registry (src/container-registry). Bytes (layers, configs, manifests) live in
 * the blob store once per sha256, like package files; these tables say which repository holds
 * which digest, and who pushed what when. Every `blob_sha256` column names a blob-store key (the
 * hex of a sha256 digest) that the blob collector (src/core/packages/blob-gc.ts) must keep.
 * - container_repositories: `<project path>[/<image>]`, created with its first push.
 * - container_repository_blobs: blobs uploaded to (or mounted into) a repository; a manifest may
 *   name only these. A blob DELETE unlinks one.
 * - container_manifests: one per digest per repository, with what the pull side needs (media type,
 *   size) and what the UI and referrers API show (config, subject, artifact type, annotations,
 *   platforms of an index).
 * - container_manifest_references: what a manifest names (config and layers; an index's children).
 * - container_tags / container_tag_history: where each tag points, and every digest it pointed to.
 * - container_uploads / container_upload_parts: blob uploads in progress; each PATCH is one part,
 *   itself a blob in the store until the upload completes or the collector drops the abandoned upload.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('container_repositories')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('name', 'varchar(255)', (c) => c.notNull().unique())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('container_repositories_project').on('container_repositories').column('project_id').execute();

  await db.schema
    .createTable('container_repository_blobs')
    .addColumn('repository_id', 'integer', (c) => c.notNull().references('container_repositories.id').onDelete('cascade'))
    .addColumn('digest', 'varchar(128)', (c) => c.notNull())
    .addColumn('blob_sha256', 'varchar(64)', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('linked_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('container_repository_blobs_pk', ['repository_id', 'digest'])
    .execute();
  await db.schema.createIndex('container_repository_blobs_sha256').on('container_repository_blobs').column('blob_sha256').execute();

  await db.schema
    .createTable('container_manifests')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('repository_id', 'integer', (c) => c.notNull().references('container_repositories.id').onDelete('cascade'))
    .addColumn('digest', 'varchar(128)', (c) => c.notNull())
    .addColumn('media_type', 'varchar(255)', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('blob_sha256', 'varchar(64)', (c) => c.notNull())
    .addColumn('config_digest', 'varchar(128)')
    .addColumn('subject_digest', 'varchar(128)')
    .addColumn('artifact_type', 'varchar(255)')
    .addColumn('annotations', 'text')
    .addColumn('platforms', 'text')
    .addColumn('pushed_by', 'text', (c) => c.notNull())
    .addColumn('pushed_at', 'varchar(32)', (c) => c.notNull())
    .addUniqueConstraint('container_manifests_digest', ['repository_id', 'digest'])
    .execute();
  await db.schema.createIndex('container_manifests_sha256').on('container_manifests').column('blob_sha256').execute();
  await db.schema.createIndex('container_manifests_subject').on('container_manifests').columns(['repository_id', 'subject_digest']).execute();

  await db.schema
    .createTable('container_manifest_references')
    .addColumn('manifest_id', 'integer', (c) => c.notNull().references('container_manifests.id').onDelete('cascade'))
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('digest', 'varchar(128)', (c) => c.notNull())
    .addColumn('blob_sha256', 'varchar(64)', (c) => c.notNull())
    .addPrimaryKeyConstraint('container_manifest_references_pk', ['manifest_id', 'digest'])
    .execute();
  await db.schema.createIndex('container_manifest_references_sha256').on('container_manifest_references').column('blob_sha256').execute();

  await db.schema
    .createTable('container_tags')
    .addColumn('repository_id', 'integer', (c) => c.notNull().references('container_repositories.id').onDelete('cascade'))
    .addColumn('name', 'varchar(128)', (c) => c.notNull())
    .addColumn('manifest_id', 'integer', (c) => c.notNull().references('container_manifests.id').onDelete('cascade'))
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('container_tags_pk', ['repository_id', 'name'])
    .execute();
  await db.schema.createIndex('container_tags_manifest').on('container_tags').column('manifest_id').execute();

  await db.schema
    .createTable('container_tag_history')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('repository_id', 'integer', (c) => c.notNull().references('container_repositories.id').onDelete('cascade'))
    .addColumn('tag', 'varchar(128)', (c) => c.notNull())
    .addColumn('digest', 'varchar(128)', (c) => c.notNull())
    .addColumn('pushed_by', 'text', (c) => c.notNull())
    .addColumn('pushed_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('container_tag_history_tag').on('container_tag_history').columns(['repository_id', 'tag']).execute();

  await db.schema
    .createTable('container_uploads')
    .addColumn('uuid', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('repository', 'varchar(255)', (c) => c.notNull())
    .addColumn('received', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('container_uploads_age').on('container_uploads').column('updated_at').execute();
  await db.schema
    .createTable('container_upload_parts')
    .addColumn('upload_uuid', 'varchar(36)', (c) => c.notNull().references('container_uploads.uuid').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('blob_sha256', 'varchar(64)', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('container_upload_parts_pk', ['upload_uuid', 'position'])
    .execute();
  await db.schema.createIndex('container_upload_parts_sha256').on('container_upload_parts').column('blob_sha256').execute();
}
