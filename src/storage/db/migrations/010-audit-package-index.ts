import type { Kysely } from 'kysely';

// "Who published or deleted package X in this group, and when": the audit listing filtered by
// scope, package and event name. With only (entity_type, entity_id, event_name, id) the database
// walked every event of that name in the group, newest first, reading each row to test the
// package: about 30,000 rows per page at 1M events (bench/, audit at scale). This index has the
// package before the event name, so such a page reads only that package's rows.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('audit_events_entity_package')
    .on('audit_events')
    .columns(['entity_type', 'entity_id', 'package_name', 'event_name', 'id'])
    .execute();
}
