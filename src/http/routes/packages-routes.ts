import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SelectQueryBuilder } from 'kysely';
import { authorizeProject, readableProjectsBelow } from '../../core/accounts/permissions.js';
import { findProject, type Project } from '../../core/accounts/projects.js';
import { errors } from '../../core/errors.js';
import { packageFileToApi, packagesToApi, type DownloadPeriod } from '../../core/packages/package-json.js';
import { filesOf, type PackageRow } from '../../core/packages/packages.js';
import type { Database } from '../../storage/db/schema.js';
import { containsIgnoringCase } from '../../storage/db/like.js';
import { FORMATS } from '../../formats/index.js';
import type { AppContext } from '../app-context.js';
import { idParam, visibleGroup, visibleProject } from '../loaders.js';
import { flagValue, isoTimestamp, listQuery, paginateArray, parsePaging, queryFlag, setPageHeaders, sortedListQuery } from '../pagination.js';
import { auditContextOf } from '../request-context.js';
import { auditingDenials, type AttemptDescription } from '../denials.js';

type Params = { id: string; package_id: string; file_id?: string };
type ListQuery = Record<string, string | undefined>;
type PackageQuery = SelectQueryBuilder<Database, 'packages', PackageRow>;

const ORDER_COLUMNS = { created_at: 'created_at', name: 'name', version: 'version', type: 'format' } as const;
const SORTS = ['asc', 'desc'];
const STATUSES: PackageRow['status'][] = ['default', 'hidden', 'pending_destruction', 'error'];
/** What a list shows unless `status` asks for another: GitLab hides hidden and pending_destruction versions. */
const LISTED_BY_DEFAULT: PackageRow['status'][] = ['default', 'error'];

/**
 * GitLab's list filters: package_type, package_name (case-insensitive substring), package_version,
 * status (default and error versions unless asked), order_by, sort. Unknown values are 400s rather
 * than silently empty lists.
 */
function applyFilters(query: PackageQuery, filters: ListQuery): PackageQuery {
  if (filters.package_type) {
    if (!FORMATS.some((f) => f.name === filters.package_type)) throw errors.badRequest('package_type does not have a valid value');
    query = query.where('format', '=', filters.package_type);
  }
  if (filters.package_name) query = query.where(containsIgnoringCase('name', filters.package_name));
  if (filters.package_version) query = query.where('version', '=', filters.package_version);
  if (filters.status) {
    if (!STATUSES.includes(filters.status as PackageRow['status'])) throw errors.badRequest('status does not have a valid value');
    query = query.where('status', '=', filters.status as PackageRow['status']);
  } else {
    query = query.where('status', 'in', LISTED_BY_DEFAULT);
  }
  const key = filters.order_by ?? 'created_at';
  const orderBy = Object.hasOwn(ORDER_COLUMNS, key) ? ORDER_COLUMNS[key as keyof typeof ORDER_COLUMNS] : undefined;
  if (!orderBy) throw errors.badRequest('order_by does not have a valid value');
  if (filters.sort !== undefined && !SORTS.includes(filters.sort)) throw errors.badRequest('sort does not have a valid value');
  const direction = filters.sort === 'desc' ? 'desc' : 'asc';
  return query.orderBy(orderBy, direction).orderBy('id', direction);
}

function timestampOrFail(value: unknown, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  const time = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(time)) throw errors.badRequest(`${name} is invalid`);
  return new Date(time).toISOString();
}

/**
 * `downloads_since` / `downloads_until` (ISO 8601, both inclusive, as the audit API's created_after /
 * created_before): the period each package's `downloads` counts; all time by default.
 */
const DOWNLOAD_PERIOD = { downloads_since: isoTimestamp, downloads_until: isoTimestamp } as const;

function downloadPeriod(query: unknown): DownloadPeriod {
  const q = (query ?? {}) as Record<string, unknown>;
  return { since: timestampOrFail(q.downloads_since, 'downloads_since'), until: timestampOrFail(q.downloads_until, 'downloads_until') };
}

export function registerPackagesRoutes(app: FastifyInstance, ctx: AppContext): void {
  const base = ctx.config.baseUrl;

  /** `narrow` restricts the list further than the query's filters (one package's versions). */
  async function listFor(request: FastifyRequest, reply: FastifyReply, projectIds: number[], narrow: (query: PackageQuery) => PackageQuery = (q) => q) {
    const paging = parsePaging(request.query as Record<string, unknown>);
    const period = downloadPeriod(request.query);
    if (projectIds.length === 0) {
      setPageHeaders(request, reply, base, paging, 0);
      return [];
    }
    const filters = request.query as ListQuery;
    const scoped = narrow(ctx.db.selectFrom('packages').selectAll().where('project_id', 'in', projectIds));
    const count = await applyFilters(scoped, { ...filters, order_by: undefined })
      .clearOrderBy()
      .clearSelect()
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    const rows = await applyFilters(scoped, filters).limit(paging.perPage).offset(paging.offset).execute();
    setPageHeaders(request, reply, base, paging, Number(count?.n ?? 0));
    return packagesToApi(ctx.db, base, rows, period);
  }

  async function packageIn(project: Project, packageId: string): Promise<PackageRow> {
    const pkg = await ctx.db
      .selectFrom('packages')
      .selectAll()
      .where('id', '=', idParam(packageId, 'Package'))
      .where('project_id', '=', project.id)
      .executeTakeFirst();
    if (!pkg) throw errors.notFound('404 Package Not Found');
    return pkg;
  }

  const listSchema = { querystring: sortedListQuery(Object.keys(ORDER_COLUMNS), DOWNLOAD_PERIOD) };

  app.get<{ Params: Params }>('/api/v4/projects/:id/packages', { schema: listSchema }, async (request, reply) => {
    const { project } = await visibleProject(ctx, request, request.params.id);
    await authorizeProject(ctx.db, request.principal, project, 'read', 'api');
    return listFor(request, reply, [project.id]);
  });

  // GitLab's exclude_subgroups: the group's own projects only (default: its subgroups' too).
  const groupListSchema = { querystring: sortedListQuery(Object.keys(ORDER_COLUMNS), { ...DOWNLOAD_PERIOD, exclude_subgroups: queryFlag }) };
  app.get<{ Params: Params }>('/api/v4/groups/:id/packages', { schema: groupListSchema }, async (request, reply) => {
    const { group } = await visibleGroup(ctx, request, request.params.id);
    const excludeSubgroups = flagValue((request.query as { exclude_subgroups?: string }).exclude_subgroups) === true;
    const readable = (await readableProjectsBelow(ctx.db, request.principal, group, 'api'))
      .filter((p) => !excludeSubgroups || p.namespace_id === group.id)
      .map((p) => p.id);
    return listFor(request, reply, readable);
  });

  app.get<{ Params: Params }>('/api/v4/projects/:id/packages/:package_id', { schema: { querystring: { type: 'object', properties: DOWNLOAD_PERIOD } } }, async (request) => {
    const { project } = await visibleProject(ctx, request, request.params.id);
    await authorizeProject(ctx.db, request.principal, project, 'read', 'api');
    const period = downloadPeriod(request.query);
    const [json] = await packagesToApi(ctx.db, base, [await packageIn(project, request.params.package_id)], period);
    return json;
  });

  // Trove's own (GitLab's package_name filter is a substring match, and tags come per version):
  // every version of exactly this package's name and format, paged and filtered as the list above,
  // and every dist-tag of that name, whichever version it points at. The package page reads both.
  app.get<{ Params: Params }>('/api/v4/projects/:id/packages/:package_id/versions', { schema: listSchema }, async (request, reply) => {
    const { project } = await visibleProject(ctx, request, request.params.id);
    await authorizeProject(ctx.db, request.principal, project, 'read', 'api');
    const pkg = await packageIn(project, request.params.package_id);
    return listFor(request, reply, [project.id], (q) => q.where('format', '=', pkg.format).where('normalized_name', '=', pkg.normalized_name));
  });

  app.get<{ Params: Params }>('/api/v4/projects/:id/packages/:package_id/dist_tags', { schema: { querystring: listQuery() } }, async (request, reply) => {
    const { project } = await visibleProject(ctx, request, request.params.id);
    await authorizeProject(ctx.db, request.principal, project, 'read', 'api');
    const pkg = await packageIn(project, request.params.package_id);
    const tags = await ctx.db
      .selectFrom('package_tags')
      .innerJoin('packages', 'packages.id', 'package_tags.package_id')
      .select(['package_tags.tag as name', 'packages.version', 'package_tags.package_id', 'package_tags.updated_at'])
      .where('package_tags.project_id', '=', project.id)
      .where('package_tags.format', '=', pkg.format)
      .where('package_tags.normalized_name', '=', pkg.normalized_name)
      .orderBy('package_tags.tag')
      .execute();
    return paginateArray(request, reply, base, tags);
  });

  app.get<{ Params: Params }>('/api/v4/projects/:id/packages/:package_id/package_files', { schema: { querystring: listQuery() } }, async (request, reply) => {
    const { project } = await visibleProject(ctx, request, request.params.id);
    await authorizeProject(ctx.db, request.principal, project, 'read', 'api');
    const pkg = await packageIn(project, request.params.package_id);
    return paginateArray(request, reply, base, await filesOf(ctx.db, [pkg.id])).map(packageFileToApi);
  });

  /**
   * The two REST deletes share one path: find the project, then (inside the denial audit, so that a
   * refusal is recorded also when it is a 404 for a caller who may not see the project, as npm writes
   * are) check visibility, load the package, check delete rights, and run the write.
   */
  async function deleteWithAudit(
    request: FastifyRequest<{ Params: Params }>,
    write: (pkg: PackageRow, project: Project) => Promise<void>,
  ): Promise<void> {
    const project = await findProject(ctx.db, request.params.id);
    if (!project) throw errors.notFound('404 Project Not Found');
    const attempt: AttemptDescription = { format: 'unknown', name: null, version: null };
    await auditingDenials(ctx, request, project, attempt, async () => {
      await visibleProject(ctx, request, request.params.id);
      const pkg = await packageIn(project, request.params.package_id);
      Object.assign(attempt, { format: pkg.format, name: pkg.name, version: pkg.version });
      await authorizeProject(ctx.db, request.principal, project, 'delete', 'api');
      await write(pkg, project);
    });
  }

  app.delete<{ Params: Params }>('/api/v4/projects/:id/packages/:package_id', async (request, reply) => {
    await deleteWithAudit(request, (pkg, project) => ctx.packages.write(auditContextOf(request), project, (w) => w.deleteVersion(pkg)));
    return reply.status(204).send();
  });

  app.delete<{ Params: Params }>('/api/v4/projects/:id/packages/:package_id/package_files/:file_id', async (request, reply) => {
    await deleteWithAudit(request, async (pkg, project) => {
      const fileId = idParam(request.params.file_id ?? '', 'Package file');
      const file = (await filesOf(ctx.db, [pkg.id])).find((f) => f.id === fileId);
      if (!file) throw errors.notFound('404 Package file Not Found');
      await ctx.packages.write(auditContextOf(request), project, (w) => w.deleteFile(pkg, file));
    });
    return reply.status(204).send();
  });
}
