import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { authorizeProject, readableProjectsBelow, type Operation } from '../../core/accounts/permissions.js';
import { findProject, type Project } from '../../core/accounts/projects.js';
import { errors } from '../../core/errors.js';
import { seesHoldTerms } from '../../core/packages/legal-hold/legal-holds.js';
import { packageFileToApi, packagesToApi, type DownloadPeriod, type PackageView } from '../../core/packages/package-json.js';
import { getRow } from '../../storage/db/row-lookup.js';
import { distTagsOf, listPackages, PACKAGE_ORDER_COLUMNS, packageInProject, type PackageListFilters, type SamePackage } from '../../core/packages/package-reads.js';
import { filesOf, type PackageRow } from '../../core/packages/packages.js';
import { fileProvenanceToApi, provenanceOfFiles } from '../../core/packages/provenance.js';
import { DistTag, Package, PackageFile } from '../../contracts/packages.js';
import { FORMATS, formatNamed } from '../../formats/index.js';
import type { Api } from '../api.js';
import type { AppContext } from '../app-context.js';
import { idParam, visibleGroup, visibleProject } from '../loaders.js';
import { flagValue, isoTimestamp, listQuery, paginateArray, parsePaging, queryFlag, queryOf, setPageHeaders, sortedListQuery } from '../pagination.js';
import { bodyOf, paramsOf } from '../schemas.js';
import { auditContextOf } from '../request-context.js';
import { auditingDenials, type AttemptDescription } from '../denials.js';

type PackageParams = { id: string; package_id: string };

/**
 * `downloads_since` / `downloads_until` (ISO 8601, both inclusive, as the audit API's created_after /
 * created_before): the period each package's `downloads` counts; all time by default.
 */
const DOWNLOAD_PERIOD = { downloads_since: isoTimestamp, downloads_until: isoTimestamp } as const;

// GitLab's list filters; their values are checked by listPackages() (a 400 that names the filter).
const FILTERS = { package_type: Type.String(), package_name: Type.String(), package_version: Type.String(), status: Type.String() };
const ORDER_BY = Object.keys(PACKAGE_ORDER_COLUMNS) as (keyof typeof PACKAGE_ORDER_COLUMNS)[];
const listParams = sortedListQuery(ORDER_BY, { ...FILTERS, ...DOWNLOAD_PERIOD });
// GitLab's exclude_subgroups: the group's own projects only (default: its subgroups' too).
const groupListParams = sortedListQuery(ORDER_BY, { ...FILTERS, ...DOWNLOAD_PERIOD, exclude_subgroups: queryFlag });
type ListParams = PackageListFilters & { page?: number; per_page?: number; downloads_since?: string; downloads_until?: string };

const byProject = paramsOf('id');
const byPackage = paramsOf('id', 'package_id');
const byFile = paramsOf('id', 'package_id', 'file_id');

function timestampOrFail(value: string | undefined, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw errors.badRequest(`${name} is invalid`);
  return new Date(time).toISOString();
}

function downloadPeriod(query: { downloads_since?: string; downloads_until?: string }): DownloadPeriod {
  return { since: timestampOrFail(query.downloads_since, 'downloads_since'), until: timestampOrFail(query.downloads_until, 'downloads_until') };
}

export function registerPackagesRoutes(app: Api, ctx: AppContext): void {
  const base = ctx.config.baseUrl;
  const formatNames = FORMATS.map((f) => f.name);

  /** One page of the versions of these projects that pass the query's filters; `only`: one package's. */
  async function listFor(request: FastifyRequest, reply: FastifyReply, query: ListParams, projectIds: number[], only?: SamePackage): Promise<Package[]> {
    const paging = parsePaging(query);
    const period = downloadPeriod(query);
    const { rows, total } = await listPackages(ctx.db, projectIds, query, formatNames, { limit: paging.perPage, offset: paging.offset }, only);
    setPageHeaders(request, reply, base, paging, total);
    return packagesToApi(ctx.db, rows, await viewFor(request, rows, period));
  }

  /** The package JSON's view for this reader: in which of the rows' projects it sees hold terms. */
  async function viewFor(request: FastifyRequest, rows: readonly PackageRow[], period: DownloadPeriod = {}): Promise<PackageView> {
    const holdTermsIn = new Set<number>();
    for (const projectId of new Set(rows.map((r) => r.project_id))) {
      if (await seesHoldTerms(ctx.db, request.principal, await getRow(ctx.db, 'projects', { id: projectId }))) holdTermsIn.add(projectId);
    }
    return { baseUrl: base, restoreWindowMs: ctx.config.restoreWindowMs, period, holdTermsIn };
  }

  /** The package of the URL in a project whose packages the caller may read; a deleted one only if `includeDeleted`. */
  async function readablePackage(request: FastifyRequest, params: PackageParams, includeDeleted = false): Promise<PackageRow> {
    const { project } = await visibleProject(ctx, request, params.id);
    await authorizeProject(ctx.db, request.principal, project, 'read', 'api');
    return packageInProject(ctx.db, project, idParam(params.package_id, 'Package'), includeDeleted);
  }

  const listSchema = { params: byProject, querystring: listParams, response: { 200: Type.Array(Package) } };
  app.get('/api/v4/projects/:id/packages', { schema: listSchema }, async (request, reply) => {
    const { project } = await visibleProject(ctx, request, request.params.id);
    await authorizeProject(ctx.db, request.principal, project, 'read', 'api');
    return listFor(request, reply, request.query, [project.id]);
  });

  const groupListSchema = { params: byProject, querystring: groupListParams, response: { 200: Type.Array(Package) } };
  app.get('/api/v4/groups/:id/packages', { schema: groupListSchema }, async (request, reply) => {
    const { group } = await visibleGroup(ctx, request, request.params.id);
    const excludeSubgroups = flagValue(request.query.exclude_subgroups) === true;
    const readable = (await readableProjectsBelow(ctx.db, request.principal, group, 'api'))
      .filter((p) => !excludeSubgroups || p.namespace_id === group.id)
      .map((p) => p.id);
    return listFor(request, reply, request.query, readable);
  });

  const packageSchema = { params: byPackage, querystring: queryOf(DOWNLOAD_PERIOD), response: { 200: Package } };
  app.get('/api/v4/projects/:id/packages/:package_id', { schema: packageSchema }, async (request) => {
    const period = downloadPeriod(request.query);
    const rows = [await readablePackage(request, request.params)];
    const [json] = await packagesToApi(ctx.db, rows, await viewFor(request, rows, period));
    return json;
  });

  // Trove's own (GitLab's package_name filter is a substring match, and tags come per version):
  // every version of exactly this package's name and format, paged and filtered as the list above,
  // and every dist-tag of that name, whichever version it points at. The package page reads both.
  const versionsSchema = { params: byPackage, querystring: listParams, response: { 200: Type.Array(Package) } };
  app.get('/api/v4/projects/:id/packages/:package_id/versions', { schema: versionsSchema }, async (request, reply) => {
    const pkg = await readablePackage(request, request.params);
    return listFor(request, reply, request.query, [pkg.project_id], pkg);
  });

  const tagsSchema = { params: byPackage, querystring: listQuery(), response: { 200: Type.Array(DistTag) } };
  app.get('/api/v4/projects/:id/packages/:package_id/dist_tags', { schema: tagsSchema }, async (request, reply) => {
    const pkg = await readablePackage(request, request.params);
    return paginateArray(request, reply, base, await distTagsOf(ctx.db, pkg));
  });

  const filesSchema = { params: byPackage, querystring: listQuery(), response: { 200: Type.Array(PackageFile) } };
  app.get('/api/v4/projects/:id/packages/:package_id/package_files', { schema: filesSchema }, async (request, reply) => {
    // A deleted version's files stay listed until it is purged: what a restore would bring back.
    const pkg = await readablePackage(request, request.params, true);
    const files = paginateArray(request, reply, base, await filesOf(ctx.db, [pkg.id]));
    const provenance = await provenanceOfFiles(ctx.db, files.map((f) => f.id));
    const format = formatNamed(pkg.format);
    return files.map((file) => {
      const target = { baseUrl: ctx.config.baseUrl, projectId: pkg.project_id, name: pkg.name, version: pkg.version, fileName: file.file_name, sha256: file.sha256 };
      // A deleted version's provenance is served again only after a restore.
      const url = pkg.status === 'pending_destruction' ? null : (format?.provenanceUrl?.(target) ?? null);
      const documents = provenance.get(file.id)?.map((row) => fileProvenanceToApi(row, url));
      return { ...packageFileToApi(file), ...(documents ? { provenance: documents } : {}) };
    });
  });

  /**
   * The REST writes on one version (delete, file delete, restore, purge) share one path: find the
   * project, then (inside the denial audit, so that a refusal is recorded also when it is a 404 for a
   * caller who may not see the project, as npm writes are) check visibility, load the package (a
   * deleted one only for restore and purge), check the caller's rights, and run the write.
   */
  async function writeWithAudit<T>(
    request: FastifyRequest,
    params: PackageParams,
    rights: { operation: Operation; deleted?: boolean },
    write: (pkg: PackageRow, project: Project) => Promise<T>,
  ): Promise<T> {
    const project = await findProject(ctx.db, params.id);
    if (!project) throw errors.notFound('404 Project Not Found');
    const attempt: AttemptDescription = { format: 'unknown', name: null, version: null };
    return auditingDenials(ctx, request, project, attempt, async () => {
      await visibleProject(ctx, request, params.id);
      const pkg = await packageInProject(ctx.db, project, idParam(params.package_id, 'Package'), rights.deleted ?? false);
      Object.assign(attempt, { format: pkg.format, name: pkg.name, version: pkg.version });
      await authorizeProject(ctx.db, request.principal, project, rights.operation, 'api');
      return write(pkg, project);
    });
  }

  app.delete('/api/v4/projects/:id/packages/:package_id', { schema: { params: byPackage } }, async (request, reply) => {
    await writeWithAudit(request, request.params, { operation: 'delete' }, (pkg, project) =>
      ctx.packages.write(auditContextOf(request), project, (w) => w.deleteVersion(pkg)),
    );
    return reply.status(204).send();
  });

  // A restore is a push (protection rules) by a maintainer or above (GitLab's delete permission), audited
  // as package_restored; a refusal is recorded as publish_denied, as a delete's is.
  const restoreSchema = { params: byPackage, response: { 201: Package } };
  app.post('/api/v4/projects/:id/packages/:package_id/restore', { schema: restoreSchema }, async (request, reply) => {
    const restored = await writeWithAudit(request, request.params, { operation: 'delete', deleted: true }, async (pkg, project) => {
      await ctx.packages.write(auditContextOf(request), project, (w) => w.restoreVersion(pkg));
      return packageInProject(ctx.db, project, pkg.id);
    });
    const [json] = await packagesToApi(ctx.db, [restored], await viewFor(request, [restored]));
    return reply.status(201).send(json);
  });

  // A purge on request removes a deleted version for good before its restore window ends: owners and
  // admins only (nothing can bring it back), audited as package_purged with the caller and the reason.
  const purgeSchema = { params: byPackage, body: bodyOf({ reason: Type.String({ minLength: 1, maxLength: 1000 }) }) };
  app.post('/api/v4/projects/:id/packages/:package_id/purge', { schema: purgeSchema }, async (request, reply) => {
    await writeWithAudit(request, request.params, { operation: 'purge', deleted: true }, (pkg, project) =>
      ctx.packages.write(auditContextOf(request), project, (w) => w.purgeDeletedVersion(pkg, request.body?.reason ?? null)),
    );
    return reply.status(204).send();
  });

  app.delete('/api/v4/projects/:id/packages/:package_id/package_files/:file_id', { schema: { params: byFile } }, async (request, reply) => {
    await writeWithAudit(request, request.params, { operation: 'delete' }, async (pkg, project) => {
      const fileId = idParam(request.params.file_id, 'Package file');
      const file = (await filesOf(ctx.db, [pkg.id])).find((f) => f.id === fileId);
      if (!file) throw errors.notFound('404 Package file Not Found');
      await ctx.packages.write(auditContextOf(request), project, (w) => w.deleteFile(pkg, file));
    });
    return reply.status(204).send();
  });
}
