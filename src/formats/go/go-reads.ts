import type { FastifyReply } from 'fastify';
import semver from 'semver';
import { authorizeProject } from '../../core/accounts/permissions.js';
import { errors, isTroveError } from '../../core/errors.js';
import { visibleVersionsIn } from '../../core/packages/format-reads.js';
import { filesOf, findPackageVersion, type PackageFileRow, type PackageRow } from '../../core/packages/packages.js';
import type { AppContext } from '../../http/app-context.js';
import { sendPackageFile } from '../package-file-download.js';
import { registryProject } from '../registry-project.js';
import type { GoRequest } from './go-upload.js';
import { GO_FILE_KINDS, goFileName, isPseudoVersion, parseGoPath, type GoFileKind, type GoPath } from './go-names.js';

// GOPROXY reads of one project (`go help goproxy`), as GitLab serves them: @v/list, @v/<v>.info,
// .mod, .zip, and @latest. Only a .zip is a download (download events): go reads .info and .mod of
// every module in the dependency graph to resolve versions, as npm reads packuments. go asks for every prefix of a module path it resolves (a package
// import path's parents, /example.com/@v/list): anything that is not a module here is 404, which
// go reads as "not this one, try the next" (any other error status stops it).

// As GitLab's "installable" packages: hidden versions stay downloadable by their exact version.
const DOWNLOADABLE = new Set<PackageRow['status']>(['default', 'hidden']);

const CONTENT_TYPES: Record<GoFileKind, string> = {
  info: 'application/json',
  mod: 'text/plain; charset=utf-8',
  zip: 'application/zip',
};

const notFound: () => never = () => {
  throw errors.notFound('404 Not Found');
};

/** A version go may be shown: all three of its files are there. */
function complete(files: PackageFileRow[], version: string): boolean {
  return GO_FILE_KINDS.every((kind) => files.some((f) => f.file_name === goFileName(version, kind)));
}

/** The listed versions of a module: complete, visible, oldest first by semantic version. */
async function completeVersions(ctx: AppContext, projectId: number, module: string): Promise<{ pkg: PackageRow; files: PackageFileRow[] }[]> {
  const versions = await visibleVersionsIn(ctx.db, 'go', module, [projectId]);
  const files = await filesOf(ctx.db, versions.map((v) => v.id));
  return versions
    .map((pkg) => ({ pkg, files: files.filter((f) => f.package_id === pkg.id) }))
    .filter(({ pkg, files }) => complete(files, pkg.version))
    .sort((a, b) => semver.compare(a.pkg.version, b.pkg.version));
}

/** go's "latest": the newest release, else the newest pre-release, else the newest pseudo-version. */
function latestOf<T extends { pkg: PackageRow }>(versions: T[]): T | undefined {
  const tier = (v: string) => (isPseudoVersion(v) ? 0 : semver.prerelease(v) ? 1 : 2);
  return [...versions].sort((a, b) => tier(a.pkg.version) - tier(b.pkg.version) || semver.compare(a.pkg.version, b.pkg.version)).at(-1);
}

export async function readGo(ctx: AppContext, request: GoRequest, reply: FastifyReply) {
  const project = await registryProject(ctx, request);
  await authorizeProject(ctx.db, request.principal, project, 'read', 'registry');
  let path: GoPath;
  try {
    path = parseGoPath(request.params['*']);
  } catch (error) {
    // What is not a module path or version here is not found, as GitLab answers (go then goes on).
    if (isTroveError(error)) notFound();
    throw error;
  }
  if (path.kind === 'list') {
    const versions = await completeVersions(ctx, project.id, path.module);
    if (versions.length === 0) notFound();
    // Pseudo-versions are not listed (`go help goproxy`): go reaches them by @latest or by name.
    const listed = versions.map((v) => v.pkg.version).filter((v) => !isPseudoVersion(v));
    return reply.type('text/plain; charset=utf-8').send(listed.map((v) => `${v}\n`).join(''));
  }
  if (path.kind === 'latest') {
    const latest = latestOf(await completeVersions(ctx, project.id, path.module)) ?? notFound();
    const info = latest.files.find((f) => f.file_name === goFileName(latest.pkg.version, 'info'))!;
    return reply.type('application/json').send(await ctx.blobs.openForDownload(info.sha256, info.size));
  }
  const { module, version, kind } = path;
  const pkg = await findPackageVersion(ctx.db, project.id, 'go', module, version);
  if (!pkg || !DOWNLOADABLE.has(pkg.status)) return notFound();
  const file = (await filesOf(ctx.db, [pkg.id])).find((f) => f.file_name === goFileName(version, kind)) ?? notFound();
  return sendPackageFile(ctx, reply, file, { project, package: pkg }, { contentType: CONTENT_TYPES[kind], attachment: kind === 'zip', metadata: kind !== 'zip' });
}
