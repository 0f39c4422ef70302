import type { FastifyReply } from 'fastify';
import { authorizeGroupRead, readableProjectsBelow } from '../../core/accounts/permissions.js';
import type { Namespace } from '../../core/accounts/namespaces.js';
import type { Project } from '../../core/accounts/projects.js';
import { lastFormatChange } from '../../core/packages/format-reads.js';
import type { AppContext } from '../../http/app-context.js';
import { formatParams, type FormatRequest } from '../format-schemas.js';
import { registryGroup } from '../registry-project.js';
import { fieldsOf, findDistribution, projectDistributionsNamed, type DistributionRow } from './debian-distributions.js';
import { assertDistributionName } from './debian-names.js';
import { DEBIAN_DIST_PARAMS, debsOf, notFound, parseDistPath, sendDistFile, sendPoolFile } from './debian-reads.js';
import { indexFiles, releaseDate, releaseText, type IndexedDeb } from './debian-release.js';

// A group's apt source (GitLab's group Debian API): a group distribution's dists/ lists the packages
// that the projects of the group and of its subgroups published to a project distribution of the same
// codename, and its pool/ serves them under pool/<codename>/<project id>/. Each caller sees the
// projects it may read, and no other: its indexes list only their packages, and a pool path into any
// other project is not found. The Release is signed with the group distribution's own key.

export const DEBIAN_GROUP_POOL_PARAMS = formatParams('id', 'distribution', 'project_id', 'letter', 'package_name', 'package_version', 'file_name');
type GroupDistRequest = FormatRequest<typeof DEBIAN_DIST_PARAMS>;
type GroupPoolRequest = FormatRequest<typeof DEBIAN_GROUP_POOL_PARAMS>;

/** One project whose packages a group distribution lists: the project, and its distribution of the same codename. */
export interface GroupSource {
  project: Project;
  distribution: DistributionRow;
}

async function groupDistribution(ctx: AppContext, request: GroupDistRequest | GroupPoolRequest, name: string): Promise<{ group: Namespace; distribution: DistributionRow }> {
  const group = await registryGroup(ctx, request);
  await authorizeGroupRead(ctx.db, request.principal, group, 'registry');
  const distribution = await findDistribution(ctx.db, { kind: 'group', group }, assertDistributionName(name));
  if (!distribution) notFound(request, 'Distribution');
  return { group, distribution };
}

/**
 * The sources of a group distribution for this caller: the projects below the group it may read
 * packages of that have a distribution of this codename, in id order. A project without one adds
 * nothing (as GitLab's publications, its packages are published to a project distribution).
 */
export function sourcesOf(readable: Project[], named: Map<number, DistributionRow>): GroupSource[] {
  return readable
    .filter((project) => named.has(project.id))
    .sort((a, b) => a.id - b.id)
    .map((project) => ({ project, distribution: named.get(project.id)! }));
}

async function readableSources(ctx: AppContext, request: GroupDistRequest | GroupPoolRequest, group: Namespace, codename: string): Promise<GroupSource[]> {
  const readable = await readableProjectsBelow(ctx.db, request.principal, group, 'registry');
  return sourcesOf(readable, await projectDistributionsNamed(ctx.db, readable.map((project) => project.id), codename));
}

/** The group distribution's index files and Release, made from the caller's sources' packages as they are now. */
async function groupArchiveOf(ctx: AppContext, distribution: DistributionRow, sources: GroupSource[]) {
  const debs: IndexedDeb[] = [];
  const lastChange = [distribution.updated_at];
  for (const source of sources) {
    for (const deb of await debsOf(ctx, source.project, source.distribution)) debs.push({ ...deb, projectId: source.project.id });
    lastChange.push(source.distribution.updated_at, (await lastFormatChange(ctx.db, source.project.id, 'debian')) ?? source.distribution.updated_at);
  }
  const fields = fieldsOf(distribution);
  const files = indexFiles(fields, debs);
  return { files, release: releaseText(fields, files, releaseDate(lastChange, new Date())) };
}

export async function readGroupDists(ctx: AppContext, request: GroupDistRequest, reply: FastifyReply) {
  const path = parseDistPath(request.params['*']);
  const { group, distribution } = await groupDistribution(ctx, request, path.distribution);
  const sources = await readableSources(ctx, request, group, distribution.codename);
  return sendDistFile(ctx, request, reply, path, distribution, await groupArchiveOf(ctx, distribution, sources));
}

/** pool/<distribution>/<project id>/<letter>/<name>/<version>/<file>: a .deb of a project the caller may read, its download audited as the project's. */
export async function readGroupPool(ctx: AppContext, request: GroupPoolRequest, reply: FastifyReply) {
  const { group, distribution } = await groupDistribution(ctx, request, request.params.distribution);
  const projectId = /^\d{1,15}$/.test(request.params.project_id) ? Number(request.params.project_id) : NaN;
  const source = (await readableSources(ctx, request, group, distribution.codename)).find((candidate) => candidate.project.id === projectId);
  if (!source) notFound(request, 'Package file');
  return sendPoolFile(ctx, request, reply, source.project, source.distribution);
}
