import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../storage/db/database.js';
import { isPostgres } from '../../storage/db/dialect-types.js';
import { fullPathAtOrBelow } from '../accounts/namespaces.js';
import { fileWithPackage, selectFilesWithPackage, type FileWithPackage, type PackageRow } from './packages.js';

// The reads package formats serve their clients from (indexes, group-level lookups, the npm
// packument's change marks), so that no format queries the database itself. Each is one query
// over the indexed (project_id, format, normalized_name) columns, whatever the number of rows.

/**
 * What a package's documents depend on besides the stored manifests, as three texts: its versions
 * (id, status, updated_at: each write path sets updated_at when it changes a version's metadata
 * or status), its files (id, version) and its tags (name, version, updated_at), each in a stable
 * order. Any change to one of them changes its text.
 */
export interface PackageChangeMarks {
  versions: string;
  files: string;
  tags: string;
}

/** `expression` of every row, joined by ';' in `order`: string_agg on PostgreSQL, group_concat on SQLite. */
function joinedInOrder(db: Db, expression: RawBuilder<string>, order: RawBuilder<unknown>): RawBuilder<string | null> {
  return isPostgres(db) ? sql`string_agg(${expression}, ';' order by ${order})` : sql`group_concat(${expression}, ';' order by ${order})`;
}

/**
 * The change marks of one package in a project, in one query that answers one row (the database
 * joins the rows: on PostgreSQL a package of hundreds of versions was hundreds of rows to send and
 * parse for every packument read).
 */
export async function packageChangeMarks(db: Db, projectId: number, format: string, normalizedName: string): Promise<PackageChangeMarks> {
  const ofPackage = (table: string) =>
    sql`${sql.ref(`${table}.project_id`)} = ${projectId} and ${sql.ref(`${table}.format`)} = ${format} and ${sql.ref(`${table}.normalized_name`)} = ${normalizedName}`;
  const versions = joinedInOrder(db, sql`cast(id as varchar) || ':' || status || ':' || updated_at`, sql`id`);
  const files = joinedInOrder(db, sql`cast(package_files.id as varchar) || ':' || cast(package_files.package_id as varchar)`, sql`package_files.id`);
  const tags = joinedInOrder(db, sql`tag || ':' || cast(package_id as varchar) || ':' || updated_at`, sql`tag`);
  const { rows } = await sql<{ versions: string | null; files: string | null; tags: string | null }>`select
    (select ${versions} from packages where ${ofPackage('packages')}) as versions,
    (select ${files} from package_files inner join packages on packages.id = package_files.package_id where ${ofPackage('packages')}) as files,
    (select ${tags} from package_tags where ${ofPackage('package_tags')}) as tags`.execute(db);
  const row = rows[0]!;
  return { versions: row.versions ?? '', files: row.files ?? '', tags: row.tags ?? '' };
}

/** Of these projects, the id of the one that most recently published a visible version of the package (undefined: none did). */
export async function projectWithNewestVersion(db: Db, format: string, normalizedName: string, projectIds: number[]): Promise<number | undefined> {
  if (projectIds.length === 0) return undefined;
  const newest = await db
    .selectFrom('packages')
    .select('project_id')
    .where('format', '=', format)
    .where('normalized_name', '=', normalizedName)
    .where('status', '=', 'default')
    .where('project_id', 'in', projectIds)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return newest?.project_id;
}

/** Normalised names of the packages of a format with a visible version in these projects, sorted. */
export async function visiblePackageNames(db: Db, format: string, projectIds: number[]): Promise<string[]> {
  if (projectIds.length === 0) return [];
  const rows = await db
    .selectFrom('packages')
    .select('normalized_name')
    .distinct()
    .where('format', '=', format)
    .where('status', '=', 'default')
    .where('project_id', 'in', projectIds)
    .orderBy('normalized_name')
    .execute();
  return rows.map((r) => r.normalized_name);
}

/**
 * Every file of the visible versions of a format in these projects, with its version, oldest first:
 * for indexes that list everything at once (RubyGems' specs.4.8.gz and /versions, Debian's Packages), in one query.
 */
export async function visibleFilesOfFormat(db: Db, format: string, projectIds: number[]): Promise<FileWithPackage[]> {
  if (projectIds.length === 0) return [];
  const rows = await selectFilesWithPackage(db)
    .where('packages.format', '=', format)
    .where('packages.status', '=', 'default')
    .where('packages.project_id', 'in', projectIds)
    .orderBy('package_files.id')
    .execute();
  return rows.map(fileWithPackage);
}

/** The visible versions of one package in these projects (a query to narrow and order). */
function visibleVersions(db: Db, format: string, normalizedName: string, projectIds: number[]) {
  return db
    .selectFrom('packages')
    .selectAll()
    .where('format', '=', format)
    .where('status', '=', 'default')
    .where('normalized_name', '=', normalizedName)
    .where('project_id', 'in', projectIds);
}

/** The visible versions of one package across these projects, oldest first. */
export async function visibleVersionsIn(db: Db, format: string, normalizedName: string, projectIds: number[]): Promise<PackageRow[]> {
  if (projectIds.length === 0) return [];
  return visibleVersions(db, format, normalizedName, projectIds).orderBy('id').execute();
}

/** Files of a project's packages of this format that a download link may name: hidden versions included, as their links were handed out; deleted ones not, until restored. */
function downloadableFiles(db: Db, projectId: number, format: string) {
  return selectFilesWithPackage(db)
    .where('packages.project_id', '=', projectId)
    .where('packages.status', '!=', 'pending_destruction')
    .where('packages.format', '=', format);
}

/** The files of a project's packages of this format with these bytes (see downloadableFiles). */
function filesByDigest(db: Db, projectId: number, format: string, sha256: string) {
  return downloadableFiles(db, projectId, format).where('package_files.sha256', '=', sha256);
}

/** A file of a project's package of this format, named by its digest and file name. */
export async function findFileByDigest(db: Db, projectId: number, format: string, sha256: string, fileName: string): Promise<FileWithPackage | undefined> {
  const row = await filesByDigest(db, projectId, format, sha256).where('package_files.file_name', '=', fileName).executeTakeFirst();
  return row && fileWithPackage(row);
}

/**
 * A file of one package of a project, named by its digest alone (Composer's dist URL names the
 * package and the zip's sha256, not the version); where two versions hold the same bytes, the newest.
 */
export async function findPackageFileByDigest(db: Db, projectId: number, format: string, normalizedName: string, sha256: string): Promise<FileWithPackage | undefined> {
  const row = await filesByDigest(db, projectId, format, sha256).where('packages.normalized_name', '=', normalizedName).orderBy('packages.id', 'desc').executeTakeFirst();
  return row && fileWithPackage(row);
}

/**
 * A file of a project's package of this format by its file name, for formats whose file names are
 * unique within a project and name their version but cannot be split into name and version
 * reliably (RubyGems' <name>-<version>[-<platform>].gem, where names and platforms hold '-'): the
 * caller passes the names the file name may start with. As findFileByDigest (downloadableFiles);
 * the newest if there are several.
 */
export async function findFileByName(db: Db, projectId: number, format: string, normalizedNames: string[], fileName: string): Promise<FileWithPackage | undefined> {
  if (normalizedNames.length === 0) return undefined;
  const row = await downloadableFiles(db, projectId, format)
    .where('packages.normalized_name', 'in', normalizedNames)
    .where('package_files.file_name', '=', fileName)
    .orderBy('package_files.id', 'desc')
    .executeTakeFirst();
  return row && fileWithPackage(row);
}

/** Of these projects' visible versions of a package, the newest with this version string (GitLab's rule for which project wins). */
export async function newestVisibleVersion(db: Db, format: string, normalizedName: string, version: string, projectIds: number[]): Promise<PackageRow | undefined> {
  if (projectIds.length === 0) return undefined;
  return visibleVersions(db, format, normalizedName, projectIds).where('version', '=', version).orderBy('id', 'desc').executeTakeFirst();
}

/**
 * The projects holding a visible version of the package, the one with the newest version first
 * (group- and instance-level reads, which then check the caller's access to these few projects
 * rather than listing every project the caller may read). `below`: only projects under this path.
 */
export async function projectIdsWithPackage(db: Db, format: string, normalizedName: string, below?: string): Promise<number[]> {
  let query = db
    .selectFrom('packages')
    .innerJoin('projects', 'projects.id', 'packages.project_id')
    .select('packages.project_id')
    .select((eb) => eb.fn.max('packages.id').as('newest'))
    .where('packages.format', '=', format)
    .where('packages.status', '=', 'default')
    .where('packages.normalized_name', '=', normalizedName);
  if (below !== undefined) query = query.where(fullPathAtOrBelow('projects.full_path', below));
  const rows = await query.groupBy('packages.project_id').orderBy('newest', 'desc').execute();
  return rows.map((row) => row.project_id);
}

/**
 * When a format's packages in a project last changed (a version published, deleted, hidden or
 * restored, a file added: each moves the version's updated_at): the date of the indexes made from
 * them, so that the same packages give the same documents. Undefined when the project has none.
 */
export async function lastFormatChange(db: Db, projectId: number, format: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('packages')
    .select((eb) => eb.fn.max('updated_at').as('at'))
    .where('project_id', '=', projectId)
    .where('format', '=', format)
    .executeTakeFirst();
  return typeof row?.at === 'string' ? row.at : undefined;
}
