import type { FastifyReply, FastifyRequest } from 'fastify';
import { authorizeProject } from '../../core/accounts/permissions.js';
import type { Project } from '../../core/accounts/projects.js';
import { errors } from '../../core/errors.js';
import { lastFormatChange, visibleFilesOfFormat } from '../../core/packages/format-reads.js';
import { filesOf, findPackageVersion, type FileWithPackage } from '../../core/packages/packages.js';
import type { AppContext } from '../../http/app-context.js';
import { formatParams, type FormatRequest } from '../format-schemas.js';
import { sendPackageFile } from '../package-file-download.js';
import { registryProject } from '../registry-project.js';
import { fieldsOf, findDistribution, type DistributionRow } from './debian-distributions.js';
import { assertArchitecture, assertComponent, assertDebianName, assertDebianVersion, assertDistributionName, assertUploadFileName, poolLetter } from './debian-names.js';
import { indexFiles, indexPath, releaseDate, releaseText, type IndexedDeb } from './debian-release.js';
import { clearSign, detachedSign } from './debian-signing.js';
import { dscsIn, sourcesIndexFiles, sourcesPath } from './debian-sources-index.js';
import type { DebFileMetadata } from './debian-upload.js';

// apt's reads, at GitLab's paths: dists/<distribution>/{Release,Release.gpg,InRelease}, the Packages
// indexes under dists/<distribution>/<component>/binary-<arch>/, the Sources indexes under
// dists/<distribution>/<component>/source/, and the files under pool/.

export const DEBIAN_DIST_PARAMS = formatParams('id', '*');
export const DEBIAN_POOL_PARAMS = formatParams('id', 'distribution', 'letter', 'package_name', 'package_version', 'file_name');
type DistRequest = FormatRequest<typeof DEBIAN_DIST_PARAMS>;
type PoolRequest = FormatRequest<typeof DEBIAN_POOL_PARAMS>;

/** Not here, or not for this caller: anonymous callers are asked for credentials (apt sends them only after a 401). */
export function notFound(request: FastifyRequest, what: string): never {
  if (request.principal.kind === 'anonymous') throw errors.unauthorized();
  throw errors.notFound(`404 ${what} Not Found`);
}

export function metadataOf(entry: FileWithPackage): DebFileMetadata | null {
  try {
    const metadata = JSON.parse(entry.file.metadata ?? 'null') as DebFileMetadata | null;
    return metadata && Array.isArray(metadata.control) ? metadata : null;
  } catch {
    return null;
  }
}

/** The distribution a published file (.deb, or a source package's file) is in. */
function distributionOfFile(metadata: string | null): string | undefined {
  try {
    return (JSON.parse(metadata ?? 'null') as { distribution?: string } | null)?.distribution;
  } catch {
    return undefined;
  }
}

/** The .debs published to this distribution, as its indexes list them. */
export async function debsOf(ctx: AppContext, project: Project, distribution: DistributionRow): Promise<IndexedDeb[]> {
  return debsIn(await visibleFilesOfFormat(ctx.db, 'debian', [project.id]), distribution);
}

/** The .debs among a project's Debian files (as visibleFilesOfFormat lists them) published to this distribution. */
function debsIn(entries: FileWithPackage[], distribution: DistributionRow): IndexedDeb[] {
  const debs: IndexedDeb[] = [];
  for (const entry of entries) {
    const metadata = metadataOf(entry);
    if (!metadata || metadata.distribution !== distribution.codename) continue;
    const { file, pkg } = entry;
    debs.push({ name: pkg.name, version: pkg.version, fileName: file.file_name, component: metadata.component, architecture: metadata.architecture, size: file.size, md5: file.md5, sha1: file.sha1, sha256: file.sha256, control: metadata.control });
  }
  return debs;
}

/** The distribution's index files and its Release text, made from its packages as they are now. */
async function archiveOf(ctx: AppContext, project: Project, distribution: DistributionRow) {
  const fields = fieldsOf(distribution);
  // One read of the project's files serves both the Packages and the Sources indexes.
  const entries = await visibleFilesOfFormat(ctx.db, 'debian', [project.id]);
  const files = indexFiles(fields, debsIn(entries, distribution));
  for (const [path, bytes] of sourcesIndexFiles(fields, dscsIn(entries, distribution))) files.set(path, bytes);
  const lastChange = [distribution.updated_at, (await lastFormatChange(ctx.db, project.id, 'debian')) ?? distribution.updated_at];
  return { files, release: releaseText(fields, files, releaseDate(lastChange, new Date())) };
}

type DistPath = { kind: 'release' | 'release.gpg' | 'inrelease'; distribution: string } | { kind: 'index'; distribution: string; path: string };

/** dists/<distribution>/<file>: the distribution may itself hold no "/" (GitLab's rule), so the last segments name the file. */
export function parseDistPath(rest: string): DistPath {
  const segments = rest.split('/');
  const [distribution, ...file] = segments;
  assertDistributionName(distribution ?? '');
  if (file.length === 1 && file[0] === 'Release') return { kind: 'release', distribution };
  if (file.length === 1 && file[0] === 'Release.gpg') return { kind: 'release.gpg', distribution };
  if (file.length === 1 && file[0] === 'InRelease') return { kind: 'inrelease', distribution };
  if (file.length === 3 && /^binary-/.test(file[1]) && /^Packages(\.gz)?$/.test(file[2])) {
    const component = assertComponent(file[0]);
    const architecture = assertArchitecture(file[1].slice('binary-'.length));
    return { kind: 'index', distribution, path: indexPath(component, architecture, file[2].endsWith('.gz')) };
  }
  if (file.length === 3 && file[1] === 'source' && /^Sources(\.gz)?$/.test(file[2])) {
    return { kind: 'index', distribution, path: sourcesPath(assertComponent(file[0]), file[2].endsWith('.gz')) };
  }
  throw errors.notFound('404 Not Found');
}

export async function readDists(ctx: AppContext, request: DistRequest, reply: FastifyReply) {
  const project = await registryProject(ctx, request);
  await authorizeProject(ctx.db, request.principal, project, 'read', 'registry');
  const path = parseDistPath(request.params['*']);
  const distribution = await findDistribution(ctx.db, project.id, path.distribution);
  if (!distribution) notFound(request, 'Distribution');
  return sendDistFile(ctx, request, reply, path, distribution, await archiveOf(ctx, project, distribution));
}

/** The file of dists/ the path names, from the distribution's archive documents; Release signed with the distribution's key. */
export async function sendDistFile(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  path: DistPath,
  distribution: Pick<DistributionRow, 'key_fingerprint' | 'encrypted_private_key'>,
  { files, release }: { files: Map<string, Buffer>; release: string },
) {
  const kek = ctx.config.debianSigningKeyFile;
  const key = { fingerprint: distribution.key_fingerprint, encryptedPrivateKey: distribution.encrypted_private_key };
  switch (path.kind) {
    case 'release':
      return reply.type('text/plain; charset=utf-8').send(release);
    case 'release.gpg':
      return reply.type('application/pgp-signature').send(await detachedSign(kek, key, release));
    case 'inrelease':
      return reply.type('text/plain; charset=utf-8').send(await clearSign(kek, key, release));
    case 'index': {
      const bytes = files.get(path.path);
      if (!bytes) notFound(request, 'Index');
      return reply.type(path.path.endsWith('.gz') ? 'application/gzip' : 'text/plain; charset=utf-8').send(bytes);
    }
  }
}

/** pool/<distribution>/<letter>/<name>/<version>/<file>: a .deb or source package file of that distribution, its download audited. */
export async function readPool(ctx: AppContext, request: PoolRequest, reply: FastifyReply) {
  const project = await registryProject(ctx, request);
  await authorizeProject(ctx.db, request.principal, project, 'read', 'registry');
  const distribution = await findDistribution(ctx.db, project.id, assertDistributionName(request.params.distribution));
  if (!distribution) notFound(request, 'Distribution');
  return sendPoolFile(ctx, request, reply, project, distribution);
}

/** What a pool path names below its distribution (and, in a group's pool, its project). */
export type PoolFileRequest = FastifyRequest & { params: { letter: string; package_name: string; package_version: string; file_name: string } };

/** The file of the project's distribution a pool path names, its download audited. */
export async function sendPoolFile(ctx: AppContext, request: PoolFileRequest, reply: FastifyReply, project: Project, distribution: DistributionRow) {
  const { letter, package_name, package_version, file_name } = request.params;
  const name = assertDebianName(package_name);
  const version = assertDebianVersion(package_version);
  const fileName = assertUploadFileName(file_name);
  if (letter !== poolLetter(name)) notFound(request, 'Package file');
  const pkg = await findPackageVersion(ctx.db, project.id, 'debian', name, version);
  if (!pkg || pkg.status !== 'default') notFound(request, 'Package');
  const file = (await filesOf(ctx.db, [pkg.id])).find((f) => f.file_name === fileName && distributionOfFile(f.metadata) === distribution.codename);
  if (!file) notFound(request, 'Package file');
  return sendPackageFile(ctx, reply, file, { project, package: pkg });
}
