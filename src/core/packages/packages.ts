import type { Db } from '../../storage/db/database.js';
import type { PackageFilesTable, PackagesTable, PackageTagsTable } from '../../storage/db/schema.js';
import type { PackageRef } from '../audit/audit-types.js';

export type PackageRow = Omit<PackagesTable, 'id'> & { id: number };
export type PackageFileRow = Omit<PackageFilesTable, 'id'> & { id: number };
export type PackageTagRow = Omit<PackageTagsTable, 'id'> & { id: number };

/** docs/architecture.md#the-audit-record `published_by`: the same who/how snapshot as the audit record, kept on the package and file. */
export type { PublishedBy } from '../../contracts/actors.js';

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

/** What a file download needs to know of its version (its audit event names it). */
export type PackageIdentity = Pick<PackageRow, 'id' | 'format' | 'name' | 'version'>;

/** A stored file with its version's identity: everything a download needs, from one query. */
export interface FileWithPackage {
  file: PackageFileRow;
  pkg: PackageIdentity;
}

/** package_files joined to their version; callers add their conditions, then `fileWithPackage` splits the row. */
export function selectFilesWithPackage(db: Db) {
  return db
    .selectFrom('package_files')
    .innerJoin('packages', 'packages.id', 'package_files.package_id')
    .selectAll('package_files')
    .select(['packages.format as package_format', 'packages.name as package_name', 'packages.version as package_version']);
}

export function fileWithPackage(row: PackageFileRow & { package_format: string; package_name: string; package_version: string }): FileWithPackage {
  const { package_format, package_name, package_version, ...file } = row;
  return { file, pkg: { id: file.package_id, format: package_format, name: package_name, version: package_version } };
}

/** A visible (status default) version's file by name: one indexed query for a download, instead of the whole package. */
export async function findVisibleFile(db: Db, projectId: number, format: string, normalizedName: string, fileName: string): Promise<FileWithPackage | undefined> {
  const row = await selectFilesWithPackage(db)
    .where('packages.project_id', '=', projectId)
    .where('packages.format', '=', format)
    .where('packages.normalized_name', '=', normalizedName)
    .where('packages.status', '=', 'default')
    .where('package_files.file_name', '=', fileName)
    .orderBy('package_files.id')
    .executeTakeFirst();
  return row && fileWithPackage(row);
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

export function packageRef(pkg: PackageIdentity, files: PackageFileRow[]): PackageRef {
  return {
    id: pkg.id,
    format: pkg.format,
    name: pkg.name,
    version: pkg.version,
    files: files.map((f) => ({ file_name: f.file_name, size: Number(f.size), sha256: f.sha256 })),
  };
}

/** A version by its id, only within this project (an id from another project is not found). */
export async function findPackageInProject(db: Db, projectId: number, packageId: number): Promise<PackageRow | undefined> {
  return db.selectFrom('packages').selectAll().where('id', '=', packageId).where('project_id', '=', projectId).executeTakeFirst();
}
