import { sql } from 'kysely';
import type { Db } from '../../storage/db/database.js';
import { DOWNLOAD_INDEX_EVENT, downloadedPackageId } from '../../storage/db/migrations/006-download-events-index.js';
import type { Package, PackageDeletion, PackageFile } from '../../contracts/packages.js';
import { holdsCovering } from './legal-hold/legal-hold-guard.js';
import { packageHoldToApi } from './legal-hold/legal-holds.js';
import type { PackageFileRow, PackageRow, PublishedBy } from './packages.js';

// GitLab's package and package-file JSON, plus `published_by` / `created_by` (docs/architecture.md#the-audit-record), and
// `downloads` / `last_downloaded_at` from the download events in the audit log.

/** The period `downloads` counts (ISO-8601 UTC, both ends inclusive); all time by default. */
export interface DownloadPeriod {
  since?: string;
  until?: string;
}

/**
 * Per package version: how many package_registry_package_downloaded events the audit log holds
 * in the period, and the newest one ever. Only recorded downloads count (download events are
 * opt-in per namespace), so a package downloaded while they were off shows fewer (or 0).
 * One query over the partial index of migration 006.
 */
async function downloadStats(db: Db, ids: number[], period: DownloadPeriod): Promise<Map<number, { downloads: number; last: string | null }>> {
  const packageId = downloadedPackageId(db);
  const conditions = [
    ...(period.since ? [sql`created_at >= ${period.since}`] : []),
    ...(period.until ? [sql`created_at <= ${period.until}`] : []),
  ];
  const counted = conditions.length === 0 ? sql<number>`count(*)` : sql<number>`count(case when ${sql.join(conditions, sql` and `)} then 1 end)`;
  const rows = await db
    .selectFrom('audit_events')
    .select([packageId.as('package_id'), counted.as('downloads'), (eb) => eb.fn.max('created_at').as('last')])
    .where('event_name', '=', sql.lit(DOWNLOAD_INDEX_EVENT))
    .where(packageId, 'in', ids)
    .groupBy(packageId)
    .execute();
  return new Map(rows.map((r) => [Number(r.package_id), { downloads: Number(r.downloads), last: r.last ?? null }]));
}

/** A soft-deleted version's deletion, or null for any other version. */
function deletionToApi(pkg: PackageRow, restoreWindowMs: number): PackageDeletion | null {
  if (pkg.status !== 'pending_destruction' || pkg.deleted_at === null || pkg.deleted_by === null) return null;
  return {
    deleted_at: pkg.deleted_at,
    deleted_by: JSON.parse(pkg.deleted_by) as PublishedBy,
    purge_after: new Date(Date.parse(pkg.deleted_at) + restoreWindowMs).toISOString(),
    tags: JSON.parse(pkg.deleted_tags ?? '[]') as string[],
  };
}

/** How the package JSON is shown to its reader. */
export interface PackageView {
  baseUrl: string;
  restoreWindowMs: number;
  /** The period `downloads` counts; all time by default. */
  period?: DownloadPeriod;
  /** The projects in which the reader sees legal holds' terms (maintainers and above: seesHoldTerms). */
  holdTermsIn: ReadonlySet<number>;
}

export async function packagesToApi(db: Db, rows: PackageRow[], view: PackageView): Promise<Package[]> {
  const { baseUrl, restoreWindowMs, period = {} } = view;
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const stats = await downloadStats(db, ids, period);
  const tags = await db.selectFrom('package_tags').selectAll().where('package_id', 'in', ids).orderBy('tag').execute();
  const projectIds = [...new Set(rows.map((r) => r.project_id))];
  const projects = await db.selectFrom('projects').select(['id', 'full_path']).where('id', 'in', projectIds).execute();
  const pathOf = new Map(projects.map((p) => [p.id, p.full_path]));
  const holds = await holdsCovering(db, rows);
  return rows.map((pkg) => {
    const publishedBy = JSON.parse(pkg.published_by) as PublishedBy;
    const metadata = JSON.parse(pkg.metadata) as { deprecated?: string };
    return {
      id: pkg.id,
      name: pkg.name,
      version: pkg.version,
      package_type: pkg.format,
      status: pkg.status,
      created_at: pkg.created_at,
      updated_at: pkg.updated_at,
      last_downloaded_at: stats.get(pkg.id)?.last ?? null,
      downloads: stats.get(pkg.id)?.downloads ?? 0,
      project_id: pkg.project_id,
      project_path: pathOf.get(pkg.project_id) ?? null,
      _links: {
        web_path: `/${pathOf.get(pkg.project_id)}/-/packages/${pkg.id}`,
        delete_api_path: `${baseUrl}/api/v4/projects/${pkg.project_id}/packages/${pkg.id}`,
      },
      tags: tags.filter((t) => t.package_id === pkg.id).map((t) => ({ id: t.id, package_id: t.package_id, name: t.tag, created_at: t.created_at, updated_at: t.updated_at })),
      deprecated: typeof metadata.deprecated === 'string' ? metadata.deprecated : null,
      pipeline: publishedBy.pipeline,
      pipelines: publishedBy.pipeline ? [publishedBy.pipeline] : [],
      published_by: publishedBy,
      legal_hold: packageHoldToApi(holds.get(pkg.id), view.holdTermsIn.has(pkg.project_id)),
      deletion: deletionToApi(pkg, restoreWindowMs),
    };
  });
}

export function packageFileToApi(file: PackageFileRow): PackageFile {
  const createdBy = JSON.parse(file.created_by) as PublishedBy;
  return {
    id: file.id,
    package_id: file.package_id,
    created_at: file.created_at,
    file_name: file.file_name,
    size: Number(file.size),
    file_md5: file.md5,
    file_sha1: file.sha1,
    file_sha256: file.sha256,
    pipelines: createdBy.pipeline ? [createdBy.pipeline] : [],
    created_by: createdBy,
  };
}
