import type { FastifyReply } from 'fastify';
import { authorizeProject } from '../../core/accounts/permissions.js';
import type { Project } from '../../core/accounts/projects.js';
import { errors } from '../../core/errors.js';
import { duplicateAllowed, duplicateRuleFor, type DuplicateSettings } from '../../core/packages/duplicates.js';
import type { BooleanFormatSetting, RegexFormatSetting } from '../../core/packages/format-settings.js';
import { filesOf, findPackageVersion } from '../../core/packages/packages.js';
import type { AppContext } from '../../http/app-context.js';
import { auditContextOf } from '../../http/request-context.js';
import type { StoredBlob } from '../../storage/blobs/blob-store.js';
import { noteAttempt } from '../format-errors.js';
import { assertDeclaredSize, readSmallBody, receiveRawUpload, type RawUploadBody } from '../format-upload.js';
import { registryProject } from '../registry-project.js';
import type { MavenRequest } from './maven-reads.js';
import { isSnapshot, METADATA_FILE, parseMavenPath, type ChecksumAlgorithm, type MavenPath } from './maven-names.js';

// mvn deploy PUTs each file, then its .sha1 and .md5 (newer clients also .sha256/.sha512), then
// the SNAPSHOT-level and artifact-level maven-metadata.xml with their checksums.

type UploadRequest = MavenRequest & { body: RawUploadBody };
type FilePath = Extract<MavenPath, { kind: 'file' }>;

// GitLab's settings (its default allows duplicates; a registry kept for audits refuses them unless told).
export const MAVEN_DUPLICATES_ALLOWED: BooleanFormatSetting = {
  kind: 'boolean',
  key: 'maven_duplicates_allowed',
  description: 'A release file uploaded again with other bytes replaces the stored one (audited as package_file_replaced) instead of being refused with 400. SNAPSHOT versions always take new builds.',
  default: false,
};

export const MAVEN_DUPLICATE_EXCEPTION_REGEX: RegexFormatSetting = {
  kind: 'regex',
  key: 'maven_duplicate_exception_regex',
  description: 'Package names or versions this regular expression matches get the opposite of maven_duplicates_allowed (empty: no exception).',
  default: '',
};

const MAVEN_DUPLICATES: DuplicateSettings = { allowed: MAVEN_DUPLICATES_ALLOWED, exceptionRegex: MAVEN_DUPLICATE_EXCEPTION_REGEX };

const DUPLICATE = 'Duplicate package is not allowed';
/** A checksum file is one hex digest (sha512: 128 characters), maybe followed by a file name. */
const CHECKSUM_BODY_LIMIT = 1024;
/** Artifact-level metadata is read and dropped (Trove computes it, maven-metadata.ts): a bound on what is read. */
const METADATA_BODY_LIMIT = 1024 * 1024;

/** The name and version the path seems to name, for the publish_denied event of a refusal (before the path is checked). */
function attemptOf(path: string): { name: string | null; version: string | null } {
  const dirs = path.split('/').slice(0, -1);
  if (dirs.length < 3) return { name: dirs.join('/') || null, version: null };
  return { name: dirs.slice(0, -1).join('/'), version: dirs.at(-1)! };
}

/** Whether the namespace's settings let this release file be replaced (GitLab's rule, src/core/packages/duplicates.ts). */
async function duplicateAllowedIn(ctx: AppContext, project: Project, path: FilePath): Promise<boolean> {
  return duplicateAllowed(await duplicateRuleFor(ctx.db, project, MAVEN_DUPLICATES), path.name, path.version);
}

/** A PUT of <file>.<algorithm>: checked against the stored file's digest; nothing is stored. */
async function verifyChecksum(ctx: AppContext, request: UploadRequest, project: Project, path: FilePath, algorithm: ChecksumAlgorithm) {
  const sent = (await readSmallBody(request.body, CHECKSUM_BODY_LIMIT)).toString('utf8').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  const pkg = await findPackageVersion(ctx.db, project.id, 'maven', path.name, path.version);
  const file = pkg && (await filesOf(ctx.db, [pkg.id])).find((f) => f.file_name === path.fileName);
  if (!file) throw errors.notFound(`${path.fileName} not found: upload it before its checksum`);
  if (sent !== file[algorithm]) throw errors.badRequest(`${algorithm} of ${path.fileName} does not match the stored file`);
}

/** Stores one file of a version: publishes the version, adds to it, or replaces a file where Maven's rules allow. */
async function storeFile(ctx: AppContext, request: UploadRequest, project: Project, path: FilePath, blob: StoredBlob) {
  const existing = await findPackageVersion(ctx.db, project.id, 'maven', path.name, path.version);
  const stored = existing ? (await filesOf(ctx.db, [existing.id])).find((f) => f.file_name === path.fileName) : undefined;
  // The same bytes again (a retried deploy, a reproducible build): nothing changes. Not so for a
  // deleted version: the writer refuses it (restore it first), rather than answer 201 for nothing.
  if (stored?.sha256 === blob.sha256 && existing?.status !== 'pending_destruction') return;
  const metadata = path.fileName === METADATA_FILE;
  // mvn uploads a version's files before its metadata: a document describing builds Trove does not hold would publish an empty version.
  if (metadata && !existing) throw errors.badRequest(`${path.version} has no files: upload them before its ${METADATA_FILE}`);
  // A release's files are what its consumers resolved: other bytes under the same name are refused
  // unless the namespace allows duplicates. SNAPSHOT builds and the SNAPSHOT metadata are meant to change.
  if (stored && !metadata && !isSnapshot(path.version) && !(await duplicateAllowedIn(ctx, project, path))) throw errors.badRequest(DUPLICATE);
  await ctx.packages.write(auditContextOf(request), project, async (writer) => {
    const file = { fileName: path.fileName, blob };
    if (!existing) {
      await writer.createVersion({
        format: 'maven',
        name: path.name,
        normalizedName: path.name,
        version: path.version,
        metadata: { groupId: path.groupId, artifactId: path.artifactId },
        files: [file],
      });
    } else if (stored) await writer.replaceFile(existing, stored, blob, metadata ? 'metadata' : 'file');
    else await writer.addFile(existing, file);
  });
}

/** PUT .../packages/maven/*: a file, a checksum of one, or the artifact-level metadata. */
export async function uploadMavenFile(ctx: AppContext, request: UploadRequest, reply: FastifyReply) {
  noteAttempt(request, { format: 'maven', ...attemptOf(request.params['*']) });
  const project = await registryProject(ctx, request);
  await authorizeProject(ctx.db, request.principal, project, 'publish', 'registry');
  const path = parseMavenPath(request.params['*']);
  noteAttempt(request, { format: 'maven', name: path.name, version: path.kind === 'file' ? path.version : null });
  assertDeclaredSize(request, ctx.config.mavenMaxUploadBytes);
  if (path.kind === 'artifact-metadata') {
    // Trove lists the versions it holds (maven-metadata.ts); the client's copy and its checksums are read and dropped.
    await readSmallBody(request.body, path.checksum ? CHECKSUM_BODY_LIMIT : METADATA_BODY_LIMIT);
    return reply.status(path.checksum ? 204 : 201).send();
  }
  if (path.checksum) {
    await verifyChecksum(ctx, request, project, path, path.checksum);
    return reply.status(204).send();
  }
  const blob = await receiveRawUpload(ctx, request, request.body, ctx.config.mavenMaxUploadBytes);
  await storeFile(ctx, request, project, path, blob);
  return reply.status(201).send({ message: '201 Created' });
}
