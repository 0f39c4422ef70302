import type { Db } from '../../storage/db/database.js';
import type { PackageFilesTable, PackagesTable, PackageTagsTable } from '../../storage/db/schema.js';
import type { ActorSnapshot, ClientInfo, PackageRef, PipelineInfo, Via } from '../audit/audit-types.js';

export type PackageRow = Omit<PackagesTable, 'id'> & { id: number };
export type PackageFileRow = Omit<PackageFilesTable, 'id'> & { id: number };
export type PackageTagRow = Omit<PackageTagsTable, 'id'> & { id: number };

/** SPEC 4.3 `published_by`: the same who/how snapshot as the audit record, kept on the package and file. */
export interface PublishedBy {
  actor: ActorSnapshot;
  via: Via;
  client: ClientInfo | null;
  pipeline: PipelineInfo | null;
  at: string;
}

export async function findPackageVersion(db: Db, projectId: number, format: string, normalizedName: string, version: string) {
  return db
    .selectFrom('packages')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('format', '=', format)
    .where('normalized_name', '=', normalizedName)
    .where('version', '=', version)
    .executeTakeFirst();
}

export async function listPackageVersions(db: Db, projectId: number, format: string, normalizedName: string): Promise<PackageRow[]> {
  return db
    .selectFrom('packages')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('format', '=', format)
    .where('normalized_name', '=', normalizedName)
    .orderBy('id')
    .execute();
}

/** A visible (status default) version's file by name: one indexed query for a download, instead of the whole package. */
export async function findVisibleFile(db: Db, projectId: number, format: string, normalizedName: string, fileName: string): Promise<PackageFileRow | undefined> {
  return db
    .selectFrom('package_files')
    .innerJoin('packages', 'packages.id', 'package_files.package_id')
    .selectAll('package_files')
    .where('packages.project_id', '=', projectId)
    .where('packages.format', '=', format)
    .where('packages.normalized_name', '=', normalizedName)
    .where('packages.status', '=', 'default')
    .where('package_files.file_name', '=', fileName)
    .orderBy('package_files.id')
    .executeTakeFirst();
}

export async function filesOf(db: Db, packageIds: number[]): Promise<PackageFileRow[]> {
  if (packageIds.length === 0) return [];
  return db.selectFrom('package_files').selectAll().where('package_id', 'in', packageIds).orderBy('id').execute();
}

export async function tagsOf(db: Db, projectId: number, format: string, normalizedName: string): Promise<PackageTagRow[]> {
  return db
    .selectFrom('package_tags')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('format', '=', format)
    .where('normalized_name', '=', normalizedName)
    .orderBy('tag')
    .execute();
}

export function packageRef(pkg: PackageRow, files: PackageFileRow[]): PackageRef {
  return {
    id: pkg.id,
    format: pkg.format,
    name: pkg.name,
    version: pkg.version,
    files: files.map((f) => ({ file_name: f.file_name, size: Number(f.size), sha256: f.sha256 })),
  };
}
