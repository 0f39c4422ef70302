import type { ContextConfigDefault, FastifyReply } from 'fastify';
import { authorizeProject } from '../../core/accounts/permissions.js';
import type { Project } from '../../core/accounts/projects.js';
import { errors } from '../../core/errors.js';
import { findFileByName, visibleFilesOfFormat, visibleVersionsIn } from '../../core/packages/format-reads.js';
import { filesOf, type PackageFileRow } from '../../core/packages/packages.js';
import type { Api } from '../../http/api.js';
import type { AppContext } from '../../http/app-context.js';
import { registerFormatErrorHandler } from '../format-errors.js';
import { formatParams, formatQuery, type FormatRequest } from '../format-schemas.js';
import { acceptRawBodies, type RawUploadBody } from '../format-upload.js';
import { sendPackageFile } from '../package-file-download.js';
import { registryProject } from '../registry-project.js';
import type { GemSpec } from './rubygems-gem.js';
import { infoDocument, md5, versionsDocument, versionText, type IndexedGem } from './rubygems-index.js';
import { dependencyList, quickSpec, specsIndex, type GemTuple } from './rubygems-marshal.js';
import { assertGemFileName, assertGemName } from './rubygems-names.js';
import { PUSH_PARAMS, pushGem } from './rubygems-push.js';
import { YANK_PARAMS, YANK_QUERY, yankGem } from './rubygems-yank.js';

const projectParams = formatParams('id');
const nameParams = formatParams('id', 'name');
const fileParams = formatParams('id', 'file_name');
const dependenciesQuery = formatQuery('gems');
type ProjectReq = FormatRequest<typeof projectParams>;

async function readableProject(ctx: AppContext, request: ProjectReq): Promise<Project> {
  const project = await registryProject(ctx, request);
  await authorizeProject(ctx.db, request.principal, project, 'read', 'registry');
  return project;
}

const specOf = (file: PackageFileRow): GemSpec => JSON.parse(file.metadata ?? 'null') as GemSpec;

/** The gems of one name in a project, visible versions only, in publication order. */
async function gemsNamed(ctx: AppContext, project: Project, name: string): Promise<IndexedGem[]> {
  const versions = await visibleVersionsIn(ctx.db, 'rubygems', name, [project.id]);
  const files = await filesOf(ctx.db, versions.map((v) => v.id));
  return files.filter((f) => f.metadata !== null).map((file) => ({ spec: specOf(file), sha256: file.sha256 }));
}

/**
 * The names a gem file name (`<name>-<version>[-<platform>]<suffix>`) may start with: each prefix
 * that ends before a '-' followed by a digit, where a version may begin.
 */
function candidateNames(fileName: string): string[] {
  const names: string[] = [];
  for (let i = fileName.indexOf('-'); i > 0; i = fileName.indexOf('-', i + 1)) {
    if (/[0-9]/.test(fileName[i + 1] ?? '')) names.push(fileName.slice(0, i));
  }
  return names.slice(0, 16);
}

/** A stored gem file by its file name, `.gem` or `.gemspec.rz`, or 404 as GitLab. */
async function gemFile(ctx: AppContext, project: Project, fileName: string, suffix: string) {
  const valid = assertGemFileName(fileName, suffix);
  const gemFileName = `${valid.slice(0, -suffix.length)}.gem`;
  const found = await findFileByName(ctx.db, project.id, 'rubygems', candidateNames(gemFileName), gemFileName);
  if (!found || found.file.metadata === null) throw errors.notFound('404 Package Not Found');
  return found;
}

/** Every gem of the project, by name in the order first published (one query), and when the newest was stored. */
async function allGems(ctx: AppContext, project: Project): Promise<{ byName: Map<string, IndexedGem[]>; newest: string }> {
  const byName = new Map<string, IndexedGem[]>();
  let newest = '1970-01-01T00:00:00Z';
  for (const { file, pkg } of await visibleFilesOfFormat(ctx.db, 'rubygems', [project.id])) {
    if (file.metadata === null) continue;
    const gems = byName.get(pkg.name) ?? [];
    gems.push({ spec: specOf(file), sha256: file.sha256 });
    byName.set(pkg.name, gems);
    if (file.created_at > newest) newest = file.created_at;
  }
  return { byName, newest };
}

async function versionsFile(ctx: AppContext, project: Project): Promise<string> {
  const { byName, newest } = await allGems(ctx, project);
  const gems = [...byName].map(([name, indexed]) => ({ name, versions: indexed.map((g) => versionText(g.spec)), info: infoDocument(indexed) }));
  // When the newest gem was stored: the document (and its ETag) stays the same until the gems change.
  return versionsDocument(newest.replace(/\.\d{3}Z$/, 'Z'), gems);
}

const isPrerelease = (version: string) => /[A-Za-z]/.test(version);

/** The legacy index files: every released gem, the newest released one per name and platform, every prerelease. */
async function specsFile(ctx: AppContext, project: Project, which: 'specs' | 'latest_specs' | 'prerelease_specs'): Promise<Buffer> {
  const tuples: GemTuple[] = [...(await allGems(ctx, project)).byName.values()].flat().map(({ spec }) => ({ name: spec.name, version: spec.version, platform: spec.platform }));
  if (which === 'prerelease_specs') return specsIndex(tuples.filter((t) => isPrerelease(t.version)));
  const released = tuples.filter((t) => !isPrerelease(t.version));
  if (which === 'specs') return specsIndex(released);
  const latest = new Map<string, GemTuple>();
  for (const tuple of released) {
    const key = `${tuple.name} ${tuple.platform}`;
    const known = latest.get(key);
    if (!known || compareReleases(tuple.version, known.version) > 0) latest.set(key, tuple);
  }
  return specsIndex([...latest.values()]);
}

/** Gem::Version's order for released versions (numeric segments): 1.10 after 1.9, 1.0 equal to 1. */
function compareReleases(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const difference = (x[i] ?? 0) - (y[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** A compact index document, with the md5 ETag bundler checks against /versions. */
function sendIndexDocument(reply: FastifyReply, body: string) {
  return reply.type('text/plain; charset=utf-8').header('etag', `"${md5(body)}"`).header('cache-control', 'private, max-age=0').send(body);
}

/**
 * RubyGems under /api/v4/projects/:id/packages/rubygems, as GitLab's paths: `gem push` (POST
 * api/v1/gems, the token bare in Authorization), `gem yank` (DELETE api/v1/gems/yank, which GitLab
 * lacks) and what `gem install` and bundler read: HEAD / (a 2xx turns on the compact index),
 * /info/<name>, /versions, the quick spec /quick/Marshal.4.8/<full name>.gemspec.rz and the gem
 * /gems/<file name>.
 */
export async function registerRubygemsRoutes(app: Api, ctx: AppContext): Promise<void> {
  await app.register(async (scope: Api) => {
    // gem push and gem install print the response body: plain text, as rubygems.org answers.
    registerFormatErrorHandler(scope, ctx, 'rubygems', (message, mapped) =>
      mapped.requiredScope ? `403 Forbidden - the token needs the ${mapped.requiredScope} scope` : message,
    );
    acceptRawBodies(scope);
    const base = '/api/v4/projects/:id/packages/rubygems';
    const push = { params: PUSH_PARAMS };
    scope.post<{ Body: RawUploadBody }, ContextConfigDefault, typeof push>(`${base}/api/v1/gems`, { schema: push }, (request, reply) => pushGem(ctx, request, reply));
    const yank = { params: YANK_PARAMS, querystring: YANK_QUERY };
    scope.delete<{ Body: RawUploadBody }, ContextConfigDefault, typeof yank>(`${base}/api/v1/gems/yank`, { schema: yank }, (request, reply) => yankGem(ctx, request, reply));
    for (const root of [base, `${base}/`]) {
      scope.get(root, { schema: { params: projectParams } }, async (request, reply) => {
        await readableProject(ctx, request);
        return reply.type('text/plain; charset=utf-8').send('');
      });
    }
    scope.get(`${base}/versions`, { schema: { params: projectParams } }, async (request, reply) => {
      const project = await readableProject(ctx, request);
      return sendIndexDocument(reply, await versionsFile(ctx, project));
    });
    // The legacy index, for gem fetch and clients that do not use the compact index.
    for (const which of ['specs', 'latest_specs', 'prerelease_specs'] as const) {
      scope.get(`${base}/${which}.4.8.gz`, { schema: { params: projectParams } }, async (request, reply) => {
        const project = await readableProject(ctx, request);
        return reply.type('application/octet-stream').send(await specsFile(ctx, project, which));
      });
    }
    // GitLab's dependency API, for clients that read no compact index: without ?gems= an empty 200.
    scope.get(`${base}/api/v1/dependencies`, { schema: { params: projectParams, querystring: dependenciesQuery } }, async (request, reply) => {
      const project = await readableProject(ctx, request);
      const names = [request.query.gems ?? []].flat().flatMap((list) => list.split(',')).filter((name) => name !== '');
      if (names.length === 0) return reply.send('');
      if (names.length > 200) throw errors.badRequest('Too many gems requested: 200 at the most');
      const gems: IndexedGem[] = [];
      for (const name of names) gems.push(...(await gemsNamed(ctx, project, assertGemName(name))));
      return reply.type('application/octet-stream').send(dependencyList(gems));
    });
    scope.get(`${base}/info/:name`, { schema: { params: nameParams } }, async (request, reply) => {
      const project = await readableProject(ctx, request);
      const name = assertGemName(request.params.name);
      const gems = await gemsNamed(ctx, project, name);
      if (gems.length === 0) throw errors.notFound('404 Package Not Found');
      return sendIndexDocument(reply, infoDocument(gems));
    });
    scope.get(`${base}/quick/Marshal.4.8/:file_name`, { schema: { params: fileParams } }, async (request, reply) => {
      const project = await readableProject(ctx, request);
      const { file } = await gemFile(ctx, project, request.params.file_name, '.gemspec.rz');
      return reply.type('application/octet-stream').send(quickSpec(specOf(file)));
    });
    scope.get(`${base}/gems/:file_name`, { schema: { params: fileParams } }, async (request, reply) => {
      const project = await readableProject(ctx, request);
      const { file, pkg } = await gemFile(ctx, project, request.params.file_name, '.gem');
      return sendPackageFile(ctx, reply, file, { project, package: pkg });
    });
  });
}
