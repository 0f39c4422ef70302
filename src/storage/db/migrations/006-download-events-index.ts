import { sql, type Kysely, type RawBuilder } from 'kysely';
import { isPostgres } from '../dialect-types.js';

// Download counts per package (the packages API's `downloads` and `last_downloaded_at`) are
// computed from the audit log itself: package_registry_package_downloaded events, by the id of
// the package version they name (record.package.id) and their time. A partial expression index
// covers exactly those events, so counting never scans the rest of the log and other events cost
// nothing extra to insert. The audit_events table and its append-only triggers are unchanged.
// Queries must use DOWNLOADED_PACKAGE_ID and the literal event name (not a bound parameter) so
// that both databases can match this partial index.

export const DOWNLOAD_INDEX_EVENT = 'package_registry_package_downloaded';

/** record.package.id of an audit event, exactly as indexed below. */
export function downloadedPackageId(db: Kysely<any>): RawBuilder<number> {
  return isPostgres(db) ? sql<number>`((record::jsonb #>> '{package,id}')::bigint)` : sql<number>`json_extract(record, '$.package.id')`;
}

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX audit_events_downloads ON audit_events (${downloadedPackageId(db)}, created_at) WHERE event_name = ${sql.lit(DOWNLOAD_INDEX_EVENT)}`.execute(db);
}
