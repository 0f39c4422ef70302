import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Project } from '../../core/accounts/projects.js';
import { authorizeProject } from '../../core/accounts/permissions.js';
import { errors } from '../../core/errors.js';
import type { PackageWriter } from '../../core/packages/package-writer.js';
import { filesOf, findPackageVersion, type PackageRow } from '../../core/packages/packages.js';
import type { StoredBlob } from '../../storage/blobs/blob-store.js';
import type { AppContext } from '../../http/app-context.js';
import { auditContextOf } from '../../http/request-context.js';
import { noteAttempt } from '../format-errors.js';
import { formatParams, formatQuery, type FormatRequest, type QueryValue } from '../format-schemas.js';
import { assertDeclaredSize, receiveRawUpload, type RawUploadBody } from '../format-upload.js';
import { registryProject } from '../registry-project.js';
import { controlField } from './debian-control.js';
import { readDebControl } from './debian-deb.js';
import { fieldsOf, findDistribution, type DistributionRow } from './debian-distributions.js';
import { uploadIncoming } from './debian-incoming.js';
import { assertArchitecture, assertComponent, assertDebianFileName, assertDebianName, assertDebianVersion, assertDistributionName } from './debian-names.js';

export const DEBIAN_UPLOAD_PARAMS = formatParams('id', 'file_name');
export const DEBIAN_UPLOAD_QUERY = formatQuery('distribution', 'component');
export type UploadRequest = FormatRequest<typeof DEBIAN_UPLOAD_PARAMS, typeof DEBIAN_UPLOAD_QUERY> & { body: RawUploadBody };

/** What the package file row keeps of a .deb: where it is published and its control fields (the Packages index is made from them). */
export interface DebFileMetadata {
  distribution: string;
  component: string;
  architecture: string;
  control: Array<[string, string]>;
}

function oneValue(name: string, value: QueryValue | undefined): string {
  if (value === undefined || value === '') throw errors.badRequest(`${name} is missing: upload with ?distribution=<codename>&component=<component>`);
  if (Array.isArray(value)) throw errors.badRequest(`${name} is given more than once`);
  return value;
}

/**
 * PUT .../packages/debian/:file_name: with ?distribution=&component=, GitLab's direct upload of a
 * .deb; without a distribution, an upload to incoming (dput's), where a .changes file then
 * publishes the files it lists (debian-incoming.ts).
 */
export async function uploadDebianFile(ctx: AppContext, request: UploadRequest, reply: FastifyReply) {
  if (request.query.distribution === undefined && request.query.component === undefined) return uploadIncoming(ctx, request, reply);
  return uploadDeb(ctx, request, reply);
}

/** A .deb checked against the distribution it goes to, ready to be written. */
export interface PreparedDeb {
  name: string;
  version: string;
  fileName: string;
  blob: StoredBlob;
  metadata: DebFileMetadata;
  description: string;
  existing: PackageRow | undefined;
}

/**
 * Reads the .deb's control file and checks it against the distribution: a valid name, version and
 * architecture the distribution carries, and no file of the same version already there (GitLab
 * refuses duplicates). `component` has been checked against the distribution's.
 */
export async function prepareDeb(
  ctx: AppContext,
  request: FastifyRequest,
  project: Project,
  distribution: DistributionRow,
  component: string,
  fileName: string,
  blob: StoredBlob,
): Promise<PreparedDeb> {
  const fields = fieldsOf(distribution);
  const control = await readDebControl(await ctx.blobs.open(blob.sha256, { size: blob.size }));
  const rawName = controlField(control, 'Package') ?? '';
  const rawVersion = controlField(control, 'Version') ?? '';
  noteAttempt(request, { format: 'debian', name: rawName, version: rawVersion });
  const name = assertDebianName(rawName);
  const version = assertDebianVersion(rawVersion);
  const architecture = assertArchitecture(controlField(control, 'Architecture') ?? '');
  if (!fields.architectures.includes(architecture)) {
    throw errors.badRequest(`Architecture ${architecture} is not one of ${distribution.codename}'s: ${fields.architectures.join(', ')}`);
  }
  const metadata: DebFileMetadata = { distribution: distribution.codename, component, architecture, control: [...control] };

  const existing = await findPackageVersion(ctx.db, project.id, 'debian', name, version);
  if (existing) {
    const files = await filesOf(ctx.db, [existing.id]);
    const clash = files.some((file) => {
      const other = JSON.parse(file.metadata ?? '{}') as Partial<DebFileMetadata>;
      return file.file_name === fileName || (other.distribution === distribution.codename && other.architecture === architecture);
    });
    if (clash) throw errors.forbidden(`Duplicate package file is not allowed: ${name} ${version} ${architecture} is already in ${distribution.codename}`);
  }
  const description = (controlField(control, 'Description') ?? '').split('\n')[0];
  return { name, version, fileName, blob, metadata, description, existing };
}

/** Publishes a prepared .deb: a new version, or another file (architecture) of the existing one. */
export async function writeDeb(writer: PackageWriter, deb: PreparedDeb): Promise<void> {
  const file = { fileName: deb.fileName, blob: deb.blob, metadata: deb.metadata };
  if (!deb.existing) await writer.createVersion({ format: 'debian', name: deb.name, normalizedName: deb.name, version: deb.version, metadata: { description: deb.description }, files: [file] });
  else await writer.addFile(deb.existing, file);
}

/** The distribution of an upload, or GitLab's 404. */
export async function distributionOf(ctx: AppContext, project: Project, name: string): Promise<DistributionRow> {
  const distribution = await findDistribution(ctx.db, project.id, name);
  if (!distribution) throw errors.notFound(`404 Distribution ${name} Not Found`);
  return distribution;
}

/** A component the distribution carries. */
export function checkComponent(distribution: DistributionRow, component: string): void {
  const fields = fieldsOf(distribution);
  if (!fields.components.includes(component)) throw errors.badRequest(`Component ${component} is not one of ${distribution.codename}'s: ${fields.components.join(', ')}`);
}

/**
 * GitLab's direct upload of a .deb (?distribution=&component=): the body is the .deb. Everything
 * that can be refused without the body (rights, file name, distribution, component, declared size)
 * is checked before reading it; then its control file is read and checked, and the version
 * published (or the file added to it, another architecture) in one audited write. A refusal stores
 * no package: the bytes already received are left to the blob collector, as for any refused upload.
 */
async function uploadDeb(ctx: AppContext, request: UploadRequest, reply: FastifyReply) {
  noteAttempt(request, { format: 'debian', name: null, version: null });
  const project = await registryProject(ctx, request);
  await authorizeProject(ctx.db, request.principal, project, 'publish', 'registry');
  const fileName = assertDebianFileName(request.params.file_name);
  const distributionName = assertDistributionName(oneValue('distribution', request.query.distribution));
  const component = assertComponent(oneValue('component', request.query.component));
  const distribution = await distributionOf(ctx, project, distributionName);
  checkComponent(distribution, component);
  const maxBytes = ctx.config.debianMaxUploadBytes;
  assertDeclaredSize(request, maxBytes);

  const blob = await receiveRawUpload(ctx, request, request.body, maxBytes);
  const deb = await prepareDeb(ctx, request, project, distribution, component, fileName, blob);
  // A concurrent upload of the same version makes this write fail on the unique constraint (409).
  await ctx.packages.write(auditContextOf(request), project, (writer) => writeDeb(writer, deb));
  return reply.status(201).send({ message: '201 Created' });
}
