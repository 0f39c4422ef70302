import type { DeletedPackage } from '../../contracts/packages.js';
import type { Db } from '../../storage/db/database.js';
import { downloadedPackageId as recordPackageId } from '../../storage/db/migrations/006-download-events-index.js';
import { filteredEvents, toRecord, type AuditView } from '../audit/audit-query.js';

// What became of a deleted package version, read from its deletion event in the audit log (after
// the purge the package row is gone; the event keeps its identity, files and who deleted it).

const DELETED = 'package_registry_package_deleted';

/**
 * The newest deletion event of the version with this id that `view` (and `onlyAuthorId`, for
 * callers who may see only their own actions) lets the caller read, or undefined.
 */
export async function deletionOf(db: Db, view: AuditView, onlyAuthorId: number | undefined, packageId: number): Promise<DeletedPackage | undefined> {
  // record.package.id, the same expression the download counts use (the event names the version by id).
  const row = await filteredEvents(db, view, { eventNames: [DELETED], onlyAuthorId })
    .where(recordPackageId(db), '=', packageId)
    .select(['record', 'leaf_hash'])
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (!row) return undefined;
  // Deletes are soft: a version restored since its deletion exists again, and is no deleted version.
  const restored = await db.selectFrom('packages').select('id').where('id', '=', packageId).where('status', '!=', 'pending_destruction').executeTakeFirst();
  if (restored) return undefined;
  const event = toRecord(row);
  const pkg = event.package!;
  return {
    id: pkg.id ?? packageId,
    name: pkg.name,
    version: pkg.version,
    package_type: pkg.format,
    project_id: event.project?.id ?? null,
    project_path: event.project?.full_path ?? null,
    deleted_at: event.created_at,
    deleted_by: { actor: event.actor, via: event.via, client: event.client, pipeline: event.pipeline, at: event.created_at },
    reason: event.reason,
    custom_message: event.details.custom_message,
    files: pkg.files,
    audit_event_id: event.id,
  };
}
