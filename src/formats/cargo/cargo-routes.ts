import type { ContextConfigDefault, FastifyReply, FastifyRequest } from 'fastify';
import semver from 'semver';
import { authorizeProject } from '../../core/accounts/permissions.js';
import type { Project } from '../../core/accounts/projects.js';
import { errors } from '../../core/errors.js';
import { visiblePackageNames, visibleVersionsIn } from '../../core/packages/format-reads.js';
import { filesOf, findPackageVersion, findVisibleFile, type PackageRow } from '../../core/packages/packages.js';
import type { Api } from '../../http/api.js';
import type { AppContext } from '../../http/app-context.js';
import { auditContextOf } from '../../http/request-context.js';
import { noteAttempt, registerFormatErrorHandler } from '../format-errors.js';
import { projectPackagesUrl } from '../format.js';
import { formatParams, formatQuery, type FormatRequest } from '../format-schemas.js';
import { acceptRawBodies, type RawUploadBody } from '../format-upload.js';
import { sendPackageFile } from '../package-file-download.js';
import { registryProject } from '../registry-project.js';
import { etagOf, indexConfig, indexFile, isYanked } from './cargo-index.js';
import type { CrateDescription } from './cargo-metadata.js';
import { assertCrateName, assertCrateVersion, crateFileName, indexPath, normalizeCrateName } from './cargo-names.js';
import { PUBLISH_PARAMS, publishCrate } from './cargo-publish.js';

const PROJECT_PARAMS = formatParams('id');
const INDEX_PARAMS = formatParams('id', '*');
const CRATE_PARAMS = formatParams('id', 'name');
const VERSION_PARAMS = formatParams('id', 'name', 'version');
const SEARCH_QUERY = formatQuery('q', 'per_page');
type ProjectRequest = FormatRequest<typeof PROJECT_PARAMS>;
type VersionRequest = FormatRequest<typeof VERSION_PARAMS> & { body: RawUploadBody };

/** Where cargo finds a project's registry: its web API, and (under /index) its sparse index. */
export function cargoRegistryUrl(target: Parameters<typeof projectPackagesUrl>[0]): string {
  return `${projectPackagesUrl(target)}/cargo`;
}

async function readableProject(ctx: AppContext, request: ProjectRequest): Promise<Project> {
  const project = await registryProject(ctx, request);
  await authorizeProject(ctx.db, request.principal, project, 'read', 'registry');
  return project;
}

/** A document cargo caches: 304 when its If-None-Match names the same ETag. */
function sendCached(request: FastifyRequest, reply: FastifyReply, type: string, body: string) {
  const etag = etagOf(body);
  reply.header('etag', etag).header('cache-control', 'private, max-age=0');
  if (request.headers['if-none-match'] === etag) return reply.status(304).send();
  return reply.type(type).send(body);
}

/** The crate an index path names (`pr/ob/probe_hello`), or null when the path is not where cargo looks for it. */
function crateOfIndexPath(path: string): string | null {
  const name = path.slice(path.lastIndexOf('/') + 1);
  try {
    assertCrateName(name);
  } catch {
    return null;
  }
  return indexPath(name) === path ? name : null;
}

async function serveIndexFile(ctx: AppContext, request: FormatRequest<typeof INDEX_PARAMS>, reply: FastifyReply) {
  const project = await readableProject(ctx, request);
  const name = crateOfIndexPath(request.params['*']);
  if (name === null) throw errors.notFound('404 Crate Not Found');
  // One crate per normalised name; the index file is served under its own spelling only (any case).
  const versions = (await visibleVersionsIn(ctx.db, 'cargo', normalizeCrateName(name), [project.id])).filter((v) => v.name.toLowerCase() === name);
  const body = indexFile(versions, await filesOf(ctx.db, versions.map((v) => v.id)));
  if (body === '') throw errors.notFound('404 Crate Not Found');
  return sendCached(request, reply, 'text/plain; charset=utf-8', body);
}

async function downloadCrate(ctx: AppContext, request: FormatRequest<typeof VERSION_PARAMS>, reply: FastifyReply) {
  const project = await readableProject(ctx, request);
  const name = assertCrateName(request.params.name);
  const version = assertCrateVersion(request.params.version);
  const found = await findVisibleFile(ctx.db, project.id, 'cargo', normalizeCrateName(name), crateFileName(name, version));
  if (!found) throw errors.notFound('404 Crate Not Found');
  return sendPackageFile(ctx, reply, found.file, { project, package: found.pkg }, { contentType: 'application/x-tar' });
}

/** `cargo yank [--undo]`: maintainers and above, as a delete; the version stays downloadable for the lockfiles that name it. */
async function yankCrate(ctx: AppContext, request: VersionRequest, reply: FastifyReply, yanked: boolean) {
  noteAttempt(request, { format: 'cargo', name: request.params.name, version: request.params.version });
  const project = await registryProject(ctx, request);
  await authorizeProject(ctx.db, request.principal, project, 'delete', 'registry');
  const name = assertCrateName(request.params.name);
  const version = assertCrateVersion(request.params.version);
  const pkg = await findPackageVersion(ctx.db, project.id, 'cargo', normalizeCrateName(name), version);
  if (!pkg || pkg.status === 'pending_destruction' || pkg.name !== name) throw errors.notFound(`crate \`${name}\` does not have a version \`${version}\``);
  await ctx.packages.write(auditContextOf(request), project, (writer) => writer.setYanked(pkg, yanked));
  return reply.send({ ok: true });
}

/** `cargo search`: the project's crates whose name holds the query, with their newest unyanked version. */
async function searchCrates(ctx: AppContext, request: FormatRequest<typeof PROJECT_PARAMS, typeof SEARCH_QUERY>, reply: FastifyReply) {
  const project = await readableProject(ctx, request);
  const query = normalizeCrateName(typeof request.query.q === 'string' ? request.query.q : '');
  const perPage = Math.min(Math.max(Number(typeof request.query.per_page === 'string' ? request.query.per_page : 10) || 10, 1), 100);
  const names = (await visiblePackageNames(ctx.db, 'cargo', [project.id])).filter((name) => name.includes(query));
  const crates = [];
  for (const name of names.slice(0, perPage)) {
    const versions = (await visibleVersionsIn(ctx.db, 'cargo', name, [project.id])).filter((v) => !isYanked(v));
    const newest = versions.reduce<PackageRow | undefined>((max, v) => (max && semver.gte(max.version, v.version) ? max : v), undefined);
    if (newest) crates.push({ name: newest.name, max_version: newest.version, description: (JSON.parse(newest.metadata) as CrateDescription).description });
  }
  return reply.send({ crates, meta: { total: names.length } });
}

/**
 * Owners are a crates.io notion: Trove's publish and yank rights come from project membership.
 * An attempt to add or remove one is a refused write, audited as such with the crate's name.
 */
function ownersRefused(request: FormatRequest<typeof CRATE_PARAMS>): never {
  noteAttempt(request, { format: 'cargo', name: request.params.name, version: null });
  throw errors.badRequest('Trove has no crate owners: developers of the project publish, maintainers yank; manage them as project members');
}

/**
 * Cargo's registry under /api/v4/projects/:id/packages/cargo (GitLab has none; the paths follow
 * its other formats): the sparse index at /index/ (config.json, then a file per crate), the web
 * API cargo calls at /api/v1/crates (publish, download, yank and unyank, search), the token bare
 * in Authorization. Errors are cargo's JSON, {"errors":[{"detail": ...}]}, which it prints.
 */
export async function registerCargoRoutes(app: Api, ctx: AppContext): Promise<void> {
  await app.register(async (scope: Api) => {
    registerFormatErrorHandler(scope, ctx, 'cargo', (message) => ({ errors: [{ detail: message }] }));
    acceptRawBodies(scope);
    const base = '/api/v4/projects/:id/packages/cargo';
    scope.get(`${base}/index/config.json`, { schema: { params: PROJECT_PARAMS } }, async (request, reply) => {
      const project = await readableProject(ctx, request);
      const config = indexConfig(cargoRegistryUrl({ baseUrl: ctx.config.baseUrl, projectId: project.id }), project.visibility !== 'public');
      return sendCached(request, reply, 'application/json', config);
    });
    scope.get(`${base}/index/*`, { schema: { params: INDEX_PARAMS } }, (request, reply) => serveIndexFile(ctx, request, reply));
    const publish = { params: PUBLISH_PARAMS };
    scope.put<{ Body: RawUploadBody }, ContextConfigDefault, typeof publish>(`${base}/api/v1/crates/new`, { schema: publish }, (request, reply) => publishCrate(ctx, request, reply));
    scope.get(`${base}/api/v1/crates`, { schema: { params: PROJECT_PARAMS, querystring: SEARCH_QUERY } }, (request, reply) => searchCrates(ctx, request, reply));
    scope.get(`${base}/api/v1/crates/:name/:version/download`, { schema: { params: VERSION_PARAMS } }, (request, reply) => downloadCrate(ctx, request, reply));
    const version = { params: VERSION_PARAMS };
    scope.delete<{ Body: RawUploadBody }, ContextConfigDefault, typeof version>(`${base}/api/v1/crates/:name/:version/yank`, { schema: version }, (request, reply) => yankCrate(ctx, request, reply, true));
    scope.put<{ Body: RawUploadBody }, ContextConfigDefault, typeof version>(`${base}/api/v1/crates/:name/:version/unyank`, { schema: version }, (request, reply) => yankCrate(ctx, request, reply, false));
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      scope.route({ method, url: `${base}/api/v1/crates/:name/owners`, schema: { params: CRATE_PARAMS }, handler: (request) => ownersRefused(request) });
    }
  });
}
