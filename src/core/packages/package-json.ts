import type { Db } from '../../storage/db/database.js';
import type { PackageFileRow, PackageRow, PublishedBy } from './packages.js';

// GitLab's package and package-file JSON, plus `published_by` / `created_by` (SPEC 4.3).

export async function packagesToApi(db: Db, baseUrl: string, rows: PackageRow[]) {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const tags = await db.selectFrom('package_tags').selectAll().where('package_id', 'in', ids).orderBy('tag').execute();
  const projectIds = [...new Set(rows.map((r) => r.project_id))];
  const projects = await db.selectFrom('projects').select(['id', 'full_path']).where('id', 'in', projectIds).execute();
  const pathOf = new Map(projects.map((p) => [p.id, p.full_path]));
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
      last_downloaded_at: null,
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
    };
  });
}

export function packageFileToApi(file: PackageFileRow) {
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
