import multipart from '@fastify/multipart';
import type { FastifyReply } from 'fastify';
import { UploadCreated } from '../../contracts/package-clients.js';
import { authorizeProject, readableProjectsBelow } from '../../core/accounts/permissions.js';
import type { Project } from '../../core/accounts/projects.js';
import { errors } from '../../core/errors.js';
import { findPackageFileByDigest, visiblePackageNames, visibleVersionsIn } from '../../core/packages/format-reads.js';
import { filesOf } from '../../core/packages/packages.js';
import type { Api } from '../../http/api.js';
import type { AppContext } from '../../http/app-context.js';
import { registerFormatErrorHandler } from '../format-errors.js';
import { projectPackagesUrl } from '../format.js';
import { formatParams, formatQuery, type FormatRequest } from '../format-schemas.js';
import { sendPackageFile } from '../package-file-download.js';
import { registryGroup, registryProject } from '../registry-project.js';
import { packageDocument, rootDocument, type VersionEntry } from './composer-metadata.js';
import { assertComposerName } from './composer-names.js';
import { COMPOSER_PROJECT_PARAMS, COMPOSER_UPLOAD_QUERY, FORM_LIMITS, uploadComposerPackage } from './composer-upload.js';

// GitLab's Composer API: the repository is read at group level (every project below the group
// the caller may read), the dist zips are downloaded from the project that holds them. Trove
// also serves a project's own repository, with the same documents.

const GROUP_PARAMS = formatParams('id');
const PATH_PARAMS = formatParams('id', '*');
const ARCHIVE_QUERY = formatQuery('sha');
type GroupRequest = FormatRequest<typeof GROUP_PARAMS>;
type PathRequest = FormatRequest<typeof PATH_PARAMS>;
type ArchiveRequest = FormatRequest<typeof PATH_PARAMS, typeof ARCHIVE_QUERY>;

/** Not here, or not for this caller: anonymous callers are asked for credentials (401 with a challenge), as everywhere. */
function notFound(request: GroupRequest, what: string): never {
  if (request.principal.kind === 'anonymous') throw errors.unauthorized();
  throw errors.notFound(`404 ${what} Not Found`);
}

/** "vendor/name.json" (or "vendor/name~dev.json") from the rest of a p2 URL; null for anything else. */
function p2Name(path: string): { name: string; dev: boolean } | null {
  const match = /^([^/]+\/[^/]+?)(~dev)?\.json$/.exec(path);
  return match ? { name: match[1], dev: match[2] !== undefined } : null;
}

/** Where a repository's documents are: a group's (GitLab's), or one project's (Trove's, for project deploy tokens and exact instructions). */
function repositoryUrl(ctx: AppContext, kind: 'group' | 'project', id: string): string {
  return kind === 'group'
    ? `${ctx.config.baseUrl}/api/v4/group/${encodeURIComponent(id)}/-/packages/composer`
    : `${ctx.config.baseUrl}/api/v4/projects/${encodeURIComponent(id)}/packages/composer`;
}

export function composerDistUrl(baseUrl: string, projectId: number, name: string, sha256: string): string {
  return `${projectPackagesUrl({ baseUrl, projectId })}/composer/archives/${name}.zip?sha=${sha256}`;
}

/** The projects a repository URL reads from: the readable ones below the group, or the one project. */
async function projectsOf(ctx: AppContext, request: GroupRequest, kind: 'group' | 'project'): Promise<Project[]> {
  if (kind === 'group') return readableProjectsBelow(ctx.db, request.principal, await registryGroup(ctx, request), 'registry');
  const project = await registryProject(ctx, request);
  await authorizeProject(ctx.db, request.principal, project, 'read', 'registry');
  return [project];
}

async function servePackagesJson(ctx: AppContext, request: GroupRequest, reply: FastifyReply, kind: 'group' | 'project') {
  const projects = await projectsOf(ctx, request, kind);
  const names = await visiblePackageNames(ctx.db, 'composer', projects.map((p) => p.id));
  return reply.type('application/json').send(rootDocument(repositoryUrl(ctx, kind, request.params.id), names));
}

async function serveP2(ctx: AppContext, request: PathRequest, reply: FastifyReply, kind: 'group' | 'project') {
  const projects = await projectsOf(ctx, request, kind);
  const wanted = p2Name(request.params['*']);
  // Dev versions (branches) are never published here: Composer's ~dev document is always empty.
  if (!wanted || wanted.dev) notFound(request, 'Package');
  const versions = await visibleVersionsIn(ctx.db, 'composer', wanted.name, projects.map((p) => p.id));
  if (versions.length === 0) notFound(request, 'Package');
  const files = await filesOf(ctx.db, versions.map((v) => v.id));
  // Oldest first: where two projects hold the same version, the one published last wins.
  const byVersion = new Map<string, VersionEntry>();
  for (const pkg of versions) {
    const file = files.find((f) => f.package_id === pkg.id);
    if (!file) continue;
    byVersion.set(pkg.version, { pkg, file, distUrl: composerDistUrl(ctx.config.baseUrl, pkg.project_id, pkg.name, file.sha256) });
  }
  return reply.type('application/json').send(packageDocument(wanted.name, [...byVersion.values()]));
}

async function downloadArchive(ctx: AppContext, request: ArchiveRequest, reply: FastifyReply) {
  const project = await registryProject(ctx, request);
  await authorizeProject(ctx.db, request.principal, project, 'read', 'registry');
  const match = /^(.+)\.zip$/.exec(request.params['*']);
  const sha = request.query.sha;
  if (!match || typeof sha !== 'string' || !/^[0-9a-f]{64}$/.test(sha)) throw errors.notFound('404 Package Not Found');
  const name = assertComposerName(match[1]);
  const found = await findPackageFileByDigest(ctx.db, project.id, 'composer', name, sha);
  if (!found) throw errors.notFound('404 Package Not Found');
  return sendPackageFile(ctx, reply, found.file, { project, package: found.pkg }, { attachment: true });
}

/** Composer's repository at group level, the zip upload and the dist downloads at project level. */
export async function registerComposerRoutes(app: Api, ctx: AppContext): Promise<void> {
  await app.register(async (scope: Api) => {
    // GitLab's convention: {"message": "..."}; Composer shows it on a failed download.
    registerFormatErrorHandler(scope, ctx, 'composer', (message) => ({ message }));
    await scope.register(multipart, { limits: { ...FORM_LIMITS, fileSize: ctx.config.composerMaxUploadBytes } });
    // The zip as the whole body, read into memory as a multipart one is (413 past the limit).
    scope.addContentTypeParser(['application/zip', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: ctx.config.composerMaxUploadBytes }, (_request, body, done) =>
      done(null, body),
    );
    const project = '/api/v4/projects/:id/packages/composer';
    const group = '/api/v4/group/:id/-/packages/composer';
    const upload = { params: COMPOSER_PROJECT_PARAMS, querystring: COMPOSER_UPLOAD_QUERY, response: { 201: UploadCreated } };
    scope.post(project, { schema: upload, bodyLimit: ctx.config.composerMaxUploadBytes + 64 * 1024 }, async (request, reply) =>
      reply.status(201).send(await uploadComposerPackage(ctx, request)),
    );
    scope.get(`${project}/archives/*`, { schema: { params: PATH_PARAMS, querystring: ARCHIVE_QUERY } }, (request, reply) => downloadArchive(ctx, request, reply));
    // GitLab's repository is a group's; Trove also serves one project's, which a project deploy token can read.
    for (const [kind, root] of [['group', group], ['project', project]] as const) {
      scope.get(`${root}/packages.json`, { schema: { params: GROUP_PARAMS } }, (request, reply) => servePackagesJson(ctx, request, reply, kind));
      scope.get(`${root}/p2/*`, { schema: { params: PATH_PARAMS } }, (request, reply) => serveP2(ctx, request, reply, kind));
    }
  });
}
