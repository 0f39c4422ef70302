import type { FastifyReply, FastifyRequest } from 'fastify';
import semver from 'semver';
import { NpmWriteAcknowledged } from '../../contracts/package-clients.js';
import { authorizeProject, readableProjectsBelow } from '../../core/accounts/permissions.js';
import type { Project } from '../../core/accounts/projects.js';
import { errors } from '../../core/errors.js';
import { projectWithNewestVersion } from '../../core/packages/format-reads.js';
import { findVisibleFile } from '../../core/packages/packages.js';
import type { Api } from '../../http/api.js';
import type { AppContext } from '../../http/app-context.js';
import { noteAttempt, registerFormatErrorHandler } from '../format-errors.js';
import { formatParams, formatQuery, type FormatRequest } from '../format-schemas.js';
import { sendPackageFile } from '../package-file-download.js';
import { registryGroup, registryProject } from '../registry-project.js';
import { isJsonObject } from './npm-json.js';
import { ABBREVIATED_MEDIA_TYPE, abbreviatedPackument, distTags, fullPackument, versionDocument, type NpmPackageVersions } from './npm-metadata.js';
import { registerNpmAuditRoutes } from './npm-audit-routes.js';
import { parseNpmPath } from './npm-paths.js';
import { publishNpmVersion } from './npm-publish.js';
import { packumentCacheOf, packumentFingerprint, renderJson, type RenderedJson } from './npm-packument-cache.js';
import { loadNpmPackage, npmAttestations } from './npm-store.js';
import { applyDeprecations, applyRevision, deleteTarball, removeDistTag, setDistTag, unpublishAll } from './npm-updates.js';

const params = formatParams('id', '*');
// `?write=true`: npm is about to change the package and needs the full document, whatever it accepts.
const querystring = formatQuery('write');
type Req = FormatRequest<typeof params, typeof querystring>;
type WriteReq = FormatRequest<typeof params>;
type ReadRequest = Pick<Req, 'headers' | 'query'>;

/** Sends JSON with a strong ETag, answering 304 when the client already has it. */
function sendJsonWithEtag(request: ReadRequest, reply: FastifyReply, body: unknown, contentType = 'application/json') {
  return sendRendered(request, reply, renderJson(body), contentType);
}

function sendRendered(request: ReadRequest, reply: FastifyReply, { text, etag }: RenderedJson, contentType: string) {
  reply.header('etag', etag).header('cache-control', 'private, max-age=0, must-revalidate');
  if (request.headers['if-none-match'] === etag) return reply.status(304).send();
  return reply.type(`${contentType}; charset=utf-8`).send(text);
}

/** A project's packument, full or abbreviated, rendered once per change of the package (npm-packument-cache.ts). */
async function servePackument(ctx: AppContext, request: Req, reply: FastifyReply, project: Project, name: string) {
  const abbreviated = wantsAbbreviated(request);
  const key = `${project.id}/${name}/${abbreviated ? 'abbreviated' : 'full'}`;
  const cache = packumentCacheOf(ctx.db);
  const fingerprint = await packumentFingerprint(ctx.db, project.id, name);
  let doc = cache.get(key, fingerprint);
  if (!doc) {
    const view = await loadNpmPackage(ctx, project, name);
    if (view.versions.length === 0) throw errors.notFound(`Package not found`);
    doc = renderJson(abbreviated ? abbreviatedPackument(view) : fullPackument(view));
    cache.set(key, fingerprint, doc);
  }
  return sendRendered(request, reply, doc, abbreviated ? ABBREVIATED_MEDIA_TYPE : 'application/json');
}

function wantsAbbreviated(request: ReadRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.includes(ABBREVIATED_MEDIA_TYPE) && request.query.write === undefined;
}

/** Metadata reads shared by the project and group endpoints. */
async function serveMetadata(request: Req, reply: FastifyReply, view: NpmPackageVersions, kind: 'packument' | 'version' | 'dist-tags', spec?: string) {
  if (view.versions.length === 0) throw errors.notFound(`Package not found`);
  if (kind === 'dist-tags') return sendJsonWithEtag(request, reply, distTags(view));
  if (kind === 'version') {
    const tags = distTags(view);
    const version = tags[spec!] ?? (semver.valid(spec!) ? spec : semver.maxSatisfying(view.versions.map((v) => v.version), spec!));
    const pkg = view.versions.find((v) => v.version === version);
    if (!pkg) throw errors.notFound(`Version ${spec} not found`);
    return sendJsonWithEtag(request, reply, versionDocument(pkg, view.fileOf.get(pkg.id), view.registryUrl, view.provenanceOf.get(pkg.id)));
  }
  if (wantsAbbreviated(request)) return sendJsonWithEtag(request, reply, abbreviatedPackument(view), ABBREVIATED_MEDIA_TYPE);
  return sendJsonWithEtag(request, reply, fullPackument(view));
}

async function read(ctx: AppContext, request: Req, reply: FastifyReply) {
  const path = parseNpmPath(request.params['*']);
  if (path.kind === 'whoami') {
    if (request.principal.kind === 'anonymous') throw errors.unauthorized();
    const principal = request.principal;
    if (principal.kind === 'oidc') return { username: principal.token.subject };
    return { username: principal.kind === 'deploy_token' ? principal.token.username : principal.user.username };
  }
  const project = await registryProject(ctx, request);
  await authorizeProject(ctx.db, request.principal, project, 'read', 'registry');
  switch (path.kind) {
    case 'packument':
      return servePackument(ctx, request, reply, project, path.name);
    case 'version':
      return serveMetadata(request, reply, await loadNpmPackage(ctx, project, path.name), 'version', path.spec);
    case 'dist-tags':
      return serveMetadata(request, reply, await loadNpmPackage(ctx, project, path.name), 'dist-tags');
    case 'attestations':
      return npmAttestations(ctx, project, path.name, path.version);
    case 'tarball': {
      const found = await findVisibleFile(ctx.db, project.id, 'npm', path.name, path.fileName);
      if (!found) throw errors.notFound('Tarball not found');
      return sendPackageFile(ctx, reply, found.file, { project, package: found.pkg });
    }
    default:
      throw errors.notFound('Not found');
  }
}

/** The version a publish body carries (for the denial event when the publish is refused before parsing). */
function publishedVersionOf(body: unknown): string | null {
  const versions = isJsonObject(body) ? body.versions : undefined;
  if (typeof versions !== 'object' || versions === null) return null;
  const keys = Object.keys(versions);
  return keys.length === 1 ? keys[0].slice(0, 255) : null;
}

async function write(ctx: AppContext, request: WriteReq) {
  const path = parseNpmPath(request.params['*']);
  const body = request.body;
  noteAttempt(request, { format: 'npm', name: 'name' in path ? path.name : null, version: publishedVersionOf(body) });
  const project = await registryProject(ctx, request);
  await authorizeProject(ctx.db, request.principal, project, 'publish', 'registry');
  const asJson = () => {
    if (!isJsonObject(body)) throw errors.badRequest('Request body must be a JSON object');
    return body;
  };
  switch (path.kind) {
    case 'packument': {
      const json = asJson();
      // npm publish always sends _attachments (npm deprecate never does): an empty or broken one is a bad publish.
      if (json._attachments !== undefined) return publishNpmVersion(ctx, request, project, path.name, json);
      return applyDeprecations(ctx, request, project, path.name, json);
    }
    case 'revision':
      return applyRevision(ctx, request, project, path.name, asJson());
    case 'dist-tags':
      if (path.tag === null) throw errors.badRequest('A dist-tag name is required');
      return setDistTag(ctx, request, project, path.name, path.tag, body);
    default:
      throw errors.notFound('Not found');
  }
}

async function remove(ctx: AppContext, request: WriteReq) {
  const path = parseNpmPath(request.params['*']);
  noteAttempt(request, { format: 'npm', name: 'name' in path ? path.name : null, version: null });
  const project = await registryProject(ctx, request);
  // Publishing rights first; each operation then checks delete rights where it removes versions.
  await authorizeProject(ctx.db, request.principal, project, 'publish', 'registry');
  switch (path.kind) {
    case 'revision':
      return unpublishAll(ctx, request, project, path.name);
    case 'tarball-revision':
      return deleteTarball(ctx, request, project, path.name, path.fileName);
    case 'dist-tags':
      if (path.tag === null) throw errors.badRequest('A dist-tag name is required');
      return removeDistTag(ctx, request, project, path.name, path.tag);
    default:
      throw errors.notFound('Not found');
  }
}

/** Group-level install: the package from the project below the group that published it most recently. */
async function readFromGroup(ctx: AppContext, request: Req, reply: FastifyReply) {
  const path = parseNpmPath(request.params['*']);
  if (path.kind !== 'packument' && path.kind !== 'version' && path.kind !== 'dist-tags') throw errors.notFound('Not found');
  const group = await registryGroup(ctx, request);
  const readable = await readableProjectsBelow(ctx.db, request.principal, group, 'registry');
  const newest = await projectWithNewestVersion(ctx.db, 'npm', path.name, readable.map((p) => p.id));
  const project = readable.find((p) => p.id === newest);
  if (project) return serveMetadata(request, reply, await loadNpmPackage(ctx, project, path.name), path.kind, path.kind === 'version' ? path.spec : undefined);
  if (request.principal.kind === 'anonymous') throw errors.unauthorized();
  throw errors.notFound('Package not found');
}

/** npm's registry API per project, group-level reads, and npm audit's endpoints. */
export async function registerNpmRoutes(app: Api, ctx: AppContext): Promise<void> {
  await app.register(async (scope: Api) => {
    registerFormatErrorHandler(scope, ctx, 'npm', (message) => ({ error: message }));
    // The tarball travels base64-encoded inside the JSON body: allow for the 4/3 expansion.
    const bodyLimit = Math.ceil(ctx.config.maxUploadBytes * 1.34) + 1024 * 1024;
    const prefix = '/api/v4/projects/:id/packages/npm/*';
    // Publish documents are JSON objects checked by npm-publish.ts and npm-updates.ts in npm's own terms: no body schema.
    const reads = { params, querystring };
    scope.get(prefix, { schema: reads }, (request, reply) => read(ctx, request, reply));
    const writes = { params, response: { 200: NpmWriteAcknowledged } };
    scope.put(prefix, { schema: writes, bodyLimit }, (request) => write(ctx, request));
    scope.delete(prefix, { schema: writes }, (request) => remove(ctx, request));
    scope.get('/api/v4/groups/:id/-/packages/npm/*', { schema: reads }, (request, reply) => readFromGroup(ctx, request, reply));
    await registerNpmAuditRoutes(scope);
  });
}
