import type { SelectQueryBuilder } from 'kysely';
import type { DistTag } from '../../contracts/packages.js';
import type { Db } from '../../storage/db/database.js';
import { containsIgnoringCase } from '../../storage/db/like.js';
import type { Database } from '../../storage/db/schema.js';
import type { Project } from '../accounts/projects.js';
import { errors } from '../errors.js';
import type { PackageRow } from './packages.js';

// The package lists and lookups of the REST API (GitLab's filters and order), for routes that
// translate HTTP into these calls and never query the database themselves.

type PackageQuery = SelectQueryBuilder<Database, 'packages', PackageRow>;

export const PACKAGE_ORDER_COLUMNS = { created_at: 'created_at', name: 'name', version: 'version', type: 'format' } as const;
const SORTS = ['asc', 'desc'];
const STATUSES: PackageRow['status'][] = ['default', 'hidden', 'pending_destruction', 'error'];
/** What a list shows unless `status` asks for another: GitLab hides hidden and pending_destruction versions. */
const LISTED_BY_DEFAULT: PackageRow['status'][] = ['default', 'error'];

/** GitLab's list filters, as the query string gives them. */
export interface PackageListFilters {
  package_type?: string;
  package_name?: string;
  package_version?: string;
  status?: string;
  order_by?: string;
  sort?: string;
}

/** Narrows a list to the versions of one package (its format and normalized name). */
export interface SamePackage {
  format: string;
  normalized_name: string;
}

/**
 * GitLab's list filters: package_type (one of `formats`), package_name (case-insensitive
 * substring), package_version, status (default and error versions unless asked), order_by, sort.
 * Unknown values are 400s rather than silently empty lists.
 */
function applyFilters(query: PackageQuery, filters: PackageListFilters, formats: readonly string[]): PackageQuery {
  if (filters.package_type) {
    if (!formats.includes(filters.package_type)) throw errors.badRequest('package_type does not have a valid value');
    query = query.where('format', '=', filters.package_type);
  }
  if (filters.package_name) query = query.where(containsIgnoringCase('name', filters.package_name));
  if (filters.package_version) query = query.where('version', '=', filters.package_version);
  if (filters.status) {
    // `deleted`: Trove's name for GitLab's pending_destruction, the versions a restore can bring back.
    const wanted = filters.status === 'deleted' ? 'pending_destruction' : filters.status;
    const status = STATUSES.find((s) => s === wanted);
    if (status === undefined) throw errors.badRequest('status does not have a valid value');
    query = query.where('status', '=', status);
  } else {
    query = query.where('status', 'in', LISTED_BY_DEFAULT);
  }
  const key = filters.order_by ?? 'created_at';
  const orderBy = Object.hasOwn(PACKAGE_ORDER_COLUMNS, key) ? PACKAGE_ORDER_COLUMNS[key as keyof typeof PACKAGE_ORDER_COLUMNS] : undefined;
  if (!orderBy) throw errors.badRequest('order_by does not have a valid value');
  if (filters.sort !== undefined && !SORTS.includes(filters.sort)) throw errors.badRequest('sort does not have a valid value');
  const direction = filters.sort === 'desc' ? 'desc' : 'asc';
  return query.orderBy(orderBy, direction).orderBy('id', direction);
}

/**
 * One page of the package versions of these projects that pass the filters, and how many pass in
 * all; `only` restricts it to one package's versions.
 */
export async function listPackages(
  db: Db,
  projectIds: number[],
  filters: PackageListFilters,
  formats: readonly string[],
  page: { limit: number; offset: number },
  only?: SamePackage,
): Promise<{ rows: PackageRow[]; total: number }> {
  if (projectIds.length === 0) return { rows: [], total: 0 };
  let scoped = db.selectFrom('packages').selectAll().where('project_id', 'in', projectIds);
  if (only) scoped = scoped.where('format', '=', only.format).where('normalized_name', '=', only.normalized_name);
  const count = await applyFilters(scoped, { ...filters, order_by: undefined }, formats)
    .clearOrderBy()
    .clearSelect()
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirst();
  const rows = await applyFilters(scoped, filters, formats).limit(page.limit).offset(page.offset).execute();
  return { rows, total: Number(count?.n ?? 0) };
}

/**
 * The project's package version with this id, or GitLab's 404; a deleted (pending_destruction)
 * version is not found unless `includeDeleted` (restores, legal holds that stop its purge).
 */
export async function packageInProject(db: Db, project: Project, packageId: number, includeDeleted = false): Promise<PackageRow> {
  const pkg = await db.selectFrom('packages').selectAll().where('id', '=', packageId).where('project_id', '=', project.id).executeTakeFirst();
  if (!pkg || (pkg.status === 'pending_destruction' && !includeDeleted)) throw errors.notFound('404 Package Not Found');
  return pkg;
}

/** Every dist-tag of the package's name in its project, whichever version it points at, by tag. */
export async function distTagsOf(db: Db, pkg: PackageRow): Promise<DistTag[]> {
  return db
    .selectFrom('package_tags')
    .innerJoin('packages', 'packages.id', 'package_tags.package_id')
    .select(['package_tags.tag as name', 'packages.version', 'package_tags.package_id', 'package_tags.updated_at'])
    .where('package_tags.project_id', '=', pkg.project_id)
    .where('package_tags.format', '=', pkg.format)
    .where('package_tags.normalized_name', '=', pkg.normalized_name)
    .orderBy('package_tags.tag')
    .execute();
}
