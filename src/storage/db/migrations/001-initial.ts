import type { Kysely } from 'kysely';

// Written with Kysely's schema builder only, so the PostgreSQL dialect runs it unchanged.
// Auto-increment primary keys come from the dialect helper in ../dialect-types.ts.
import { autoIdColumn, autoIdType } from '../dialect-types.js';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('username', 'varchar(255)', (c) => c.notNull().unique())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('email', 'varchar(255)', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text')
    .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('state', 'varchar(16)', (c) => c.notNull().defaultTo('active'))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('namespaces')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('kind', 'varchar(8)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('path', 'varchar(255)', (c) => c.notNull())
    .addColumn('full_path', 'varchar(1024)', (c) => c.notNull().unique())
    .addColumn('parent_id', 'integer', (c) => c.references('namespaces.id'))
    .addColumn('owner_user_id', 'integer', (c) => c.references('users.id'))
    .addColumn('visibility', 'varchar(16)', (c) => c.notNull().defaultTo('private'))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('package_audit_events', 'varchar(16)', (c) => c.notNull().defaultTo('inherit'))
    .addColumn('package_download_events', 'varchar(16)', (c) => c.notNull().defaultTo('inherit'))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('namespaces_parent').on('namespaces').column('parent_id').execute();

  await db.schema
    .createTable('projects')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('namespace_id', 'integer', (c) => c.notNull().references('namespaces.id'))
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('path', 'varchar(255)', (c) => c.notNull())
    .addColumn('full_path', 'varchar(1024)', (c) => c.notNull().unique())
    .addColumn('visibility', 'varchar(16)', (c) => c.notNull().defaultTo('private'))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('projects_namespace').on('projects').column('namespace_id').execute();

  await db.schema
    .createTable('members')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('source_type', 'varchar(16)', (c) => c.notNull())
    .addColumn('source_id', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('access_level', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addUniqueConstraint('members_unique', ['source_type', 'source_id', 'user_id'])
    .execute();
  await db.schema.createIndex('members_user').on('members').column('user_id').execute();

  await db.schema
    .createTable('personal_access_tokens')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('token_digest', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('expires_at', 'varchar(32)')
    .addColumn('revoked', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_used_at', 'varchar(32)')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('deploy_tokens')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('owner_type', 'varchar(16)', (c) => c.notNull())
    .addColumn('owner_id', 'integer', (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('username', 'varchar(255)', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('token_digest', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('expires_at', 'varchar(32)')
    .addColumn('revoked', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_used_at', 'varchar(32)')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('job_tokens')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('pipeline_id', 'integer', (c) => c.notNull())
    .addColumn('job_id', 'integer', (c) => c.notNull())
    .addColumn('ref', 'varchar(255)', (c) => c.notNull())
    .addColumn('sha', 'varchar(64)', (c) => c.notNull())
    .addColumn('pipeline_url', 'text')
    .addColumn('token_digest', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('packages')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id'))
    .addColumn('format', 'varchar(16)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('normalized_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('version', 'varchar(255)', (c) => c.notNull())
    .addColumn('status', 'varchar(32)', (c) => c.notNull().defaultTo('default'))
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('published_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .addUniqueConstraint('packages_unique_version', ['project_id', 'format', 'normalized_name', 'version'])
    .execute();
  await db.schema.createIndex('packages_format_name').on('packages').columns(['format', 'normalized_name']).execute();

  await db.schema
    .createTable('package_files')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('package_id', 'integer', (c) => c.notNull().references('packages.id'))
    .addColumn('file_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'varchar(64)', (c) => c.notNull())
    .addColumn('sha1', 'varchar(40)', (c) => c.notNull())
    .addColumn('md5', 'varchar(32)', (c) => c.notNull())
    .addColumn('sha512', 'varchar(128)', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addUniqueConstraint('package_files_unique_name', ['package_id', 'file_name'])
    .execute();
  await db.schema.createIndex('package_files_sha256').on('package_files').column('sha256').execute();

  await db.schema
    .createTable('package_tags')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id'))
    .addColumn('format', 'varchar(16)', (c) => c.notNull())
    .addColumn('normalized_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('tag', 'varchar(255)', (c) => c.notNull())
    .addColumn('package_id', 'integer', (c) => c.notNull().references('packages.id'))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .addUniqueConstraint('package_tags_unique', ['project_id', 'format', 'normalized_name', 'tag'])
    .execute();

  await db.schema
    .createTable('audit_events')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('seq', 'bigint', (c) => c.notNull().unique())
    .addColumn('event_name', 'varchar(128)', (c) => c.notNull())
    .addColumn('outcome', 'varchar(16)', (c) => c.notNull())
    .addColumn('author_id', 'integer', (c) => c.notNull())
    .addColumn('author_username', 'varchar(255)')
    .addColumn('actor_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('token_id', 'integer')
    .addColumn('entity_type', 'varchar(16)', (c) => c.notNull())
    .addColumn('entity_id', 'integer', (c) => c.notNull())
    .addColumn('entity_path', 'varchar(1024)')
    .addColumn('project_id', 'integer')
    .addColumn('package_format', 'varchar(16)')
    .addColumn('package_name', 'varchar(255)')
    .addColumn('via', 'varchar(16)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('record', 'text', (c) => c.notNull())
    .addColumn('leaf_hash', 'varchar(64)')
    .execute();
  await db.schema.createIndex('audit_events_entity').on('audit_events').columns(['entity_type', 'entity_id', 'id']).execute();
  await db.schema.createIndex('audit_events_project').on('audit_events').columns(['project_id', 'id']).execute();
  await db.schema.createIndex('audit_events_name').on('audit_events').columns(['event_name', 'id']).execute();
  await db.schema.createIndex('audit_events_author').on('audit_events').columns(['author_id', 'id']).execute();
  await db.schema.createIndex('audit_events_created').on('audit_events').columns(['created_at']).execute();

  await db.schema
    .createTable('instance_settings')
    .addColumn('key', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}
