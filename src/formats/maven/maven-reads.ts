import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { authorizeProject } from '../../core/accounts/permissions.js';
import { findProject, type Project } from '../../core/accounts/projects.js';
import { errors, isTroveError } from '../../core/errors.js';
import { newestVisibleVersion, projectIdsWithPackage, visibleVersionsIn } from '../../core/packages/format-reads.js';
import { filesOf } from '../../core/packages/packages.js';
import type { AppContext } from '../../http/app-context.js';
import { formatParams, type FormatRequest } from '../format-schemas.js';
import { sendPackageFile } from '../package-file-download.js';
import { registryGroup, registryProject } from '../registry-project.js';
import { artifactMetadataXml, snapshotMetadataXml } from './maven-metadata.js';
import { isSnapshot, METADATA_FILE, parseMavenPath, type ChecksumAlgorithm, type MavenPath } from './maven-names.js';

// Reads at three levels, as GitLab serves them: a project, a group (the projects below it the
// caller may read) and the instance (every project the caller may read). Where several projects
// hold the same version, the one that published it last wins (GitLab's PackageFinder).

export const MAVEN_PARAMS = formatParams('id', '*');
export const MAVEN_INSTANCE_PARAMS = formatParams('*');
export type MavenRequest = FormatRequest<typeof MAVEN_PARAMS>;
type InstanceRequest = FormatRequest<typeof MAVEN_INSTANCE_PARAMS>;

/** Not here, or not for this caller: anonymous callers are asked for credentials (mvn sends them only after a 401). */
function notFound(request: MavenRequest | InstanceRequest, what: string): never {
  if (request.principal.kind === 'anonymous') throw errors.unauthorized();
  throw errors.notFound(`${what} not found`);
}

function sendChecksum(reply: FastifyReply, hex: string) {
  return reply.type('text/plain; charset=utf-8').send(hex);
}

/** A computed metadata document, or its checksum (the same inputs give the same bytes, so they agree). */
function sendDocument(reply: FastifyReply, checksum: ChecksumAlgorithm | null, xml: string) {
  if (checksum) return sendChecksum(reply, createHash(checksum).update(xml).digest('hex'));
  return reply.type('text/xml; charset=utf-8').send(xml);
}

/** Serves what `path` names from the newest matching version in these projects. */
async function serveFrom(ctx: AppContext, request: MavenRequest | InstanceRequest, reply: FastifyReply, path: MavenPath, projects: Project[]) {
  const projectIds = projects.map((p) => p.id);
  if (path.kind === 'artifact-metadata') {
    const versions = await visibleVersionsIn(ctx.db, 'maven', path.name, projectIds);
    if (versions.length === 0) notFound(request, 'Package');
    return sendDocument(reply, path.checksum, artifactMetadataXml(path, versions.map((v) => ({ version: v.version, updatedAt: v.updated_at }))));
  }
  const pkg = await newestVisibleVersion(ctx.db, 'maven', path.name, path.version, projectIds);
  if (!pkg) notFound(request, 'Package');
  const files = await filesOf(ctx.db, [pkg.id]);
  if (path.fileName === METADATA_FILE && isSnapshot(path.version)) {
    return sendDocument(reply, path.checksum, snapshotMetadataXml(path, path.version, files.map((f) => f.file_name)));
  }
  const file = files.find((f) => f.file_name === path.fileName);
  if (!file) notFound(request, 'Package file');
  if (path.checksum) return sendChecksum(reply, file[path.checksum satisfies ChecksumAlgorithm]);
  const project = projects.find((p) => p.id === pkg.project_id)!;
  return sendPackageFile(ctx, reply, file, { project, package: pkg });
}

export async function readFromProject(ctx: AppContext, request: MavenRequest, reply: FastifyReply) {
  const project = await registryProject(ctx, request);
  await authorizeProject(ctx.db, request.principal, project, 'read', 'registry');
  return serveFrom(ctx, request, reply, parseMavenPath(request.params['*']), [project]);
}

/**
 * The projects holding the package that the caller may read, below `group` if given. Usually one
 * or two hold it: each is checked as a project read would be (authorizeProject), which is cheaper
 * than listing every project the caller may read below a group on each of mvn's many GETs.
 */
async function readableProjectsWith(ctx: AppContext, request: MavenRequest | InstanceRequest, name: string, below?: string): Promise<Project[]> {
  const readable: Project[] = [];
  for (const id of await projectIdsWithPackage(ctx.db, 'maven', name, below)) {
    const project = await findProject(ctx.db, id);
    if (!project) continue;
    try {
      await authorizeProject(ctx.db, request.principal, project, 'read', 'registry');
      readable.push(project);
    } catch (error) {
      // Not readable by this caller (a refusal): as if it were not there.
      if (!isTroveError(error)) throw error;
    }
  }
  return readable;
}

export async function readFromGroup(ctx: AppContext, request: MavenRequest, reply: FastifyReply) {
  const group = await registryGroup(ctx, request);
  const path = parseMavenPath(request.params['*']);
  return serveFrom(ctx, request, reply, path, await readableProjectsWith(ctx, request, path.name, group.full_path));
}

export async function readFromInstance(ctx: AppContext, request: InstanceRequest, reply: FastifyReply) {
  const path = parseMavenPath(request.params['*']);
  return serveFrom(ctx, request, reply, path, await readableProjectsWith(ctx, request, path.name));
}
