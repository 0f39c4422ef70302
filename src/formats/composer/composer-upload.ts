import type {} from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { UploadCreated } from '../../contracts/package-clients.js';
import { authorizeProject } from '../../core/accounts/permissions.js';
import { errors, isTroveError } from '../../core/errors.js';
import { listPackageVersions } from '../../core/packages/packages.js';
import type { AppContext } from '../../http/app-context.js';
import { auditContextOf } from '../../http/request-context.js';
import { noteAttempt } from '../format-errors.js';
import { formatParams, formatQuery, type FormatRequest, type QueryValue } from '../format-schemas.js';
import { registryProject } from '../registry-project.js';
import { parseVersionMetadata, versionMetadata } from './composer-metadata.js';
import { assertComposerName, assertComposerVersion, composerFileName, composerVersionNormalized } from './composer-names.js';
import { readPackageZip } from './composer-zip.js';

// GitLab publishes a Composer package from a git tag or branch of the project. Trove holds no
// git repository, so the upload is the package itself: a zip (as `git archive --format=zip` or a
// forge's "download zip" makes it) in the multipart field `package` (curl --form), or as the raw
// body (curl --data-binary), and the version in `version` (GitLab's `tag` is taken as its
// synonym) as a form field or query parameter, else composer.json's "version".

export const COMPOSER_PROJECT_PARAMS = formatParams('id');
export const COMPOSER_UPLOAD_QUERY = formatQuery('version', 'tag', 'branch');
type UploadRequest = FormatRequest<typeof COMPOSER_PROJECT_PARAMS, typeof COMPOSER_UPLOAD_QUERY>;

/** Form fields besides the zip: a handful of short values. */
export const FORM_LIMITS = { fieldSize: 1024, fields: 10, parts: 11, files: 1 };
const DUPLICATE = 'Duplicate package is not allowed';

interface UploadForm {
  fields: Record<string, string>;
  zip: Buffer | null;
}

function single(value: QueryValue | undefined, param: string): string | undefined {
  if (Array.isArray(value)) throw errors.badRequest(`${param} is given more than once`);
  return value;
}

/** Errors of the multipart parser carry no status, or their own (413 past the file limit). */
function malformed(error: unknown): unknown {
  if (isTroveError(error) || typeof (error as { statusCode?: unknown }).statusCode === 'number') return error;
  return errors.badRequest(`Malformed multipart/form-data upload: ${(error as Error).message}`);
}

/**
 * The form: the zip is read into memory (at most TROVE_COMPOSER_MAX_UPLOAD_BYTES, the parser's
 * file limit), because checking it needs random access to the zip's central directory, and it is
 * checked before anything reaches the blob store.
 */
async function readForm(request: FastifyRequest, form: UploadForm): Promise<void> {
  if (!request.isMultipart()) throw errors.badRequest('Expected the zip in the multipart field "package" (curl --form package=@my-lib.zip) or as an application/zip body');
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'package' || form.zip) {
          part.file.resume();
          throw errors.badRequest(`Unexpected file field "${part.fieldname.slice(0, 64)}": the zip goes in "package"`);
        }
        form.zip = await part.toBuffer();
      } else {
        if (part.valueTruncated) throw errors.badRequest(`The form field "${part.fieldname.slice(0, 64)}" is longer than ${FORM_LIMITS.fieldSize} bytes`);
        if (typeof part.value === 'string') form.fields[part.fieldname] = part.value;
      }
    }
  } catch (error) {
    throw malformed(error);
  }
}

/**
 * POST /api/v4/projects/:id/packages/composer: publishes one version from its zip. Refused (and
 * audited as publish_denied) before anything is stored: an unsafe entry path, no composer.json, a
 * name or version Composer would not accept, a version that exists (also as another spelling of
 * the same normalized version: "1.0" and "1.0.0").
 */
export async function uploadComposerPackage(ctx: AppContext, request: UploadRequest): Promise<UploadCreated> {
  const query = { version: single(request.query.version, 'version'), tag: single(request.query.tag, 'tag'), branch: single(request.query.branch, 'branch') };
  noteAttempt(request, { format: 'composer', name: null, version: query.version ?? query.tag ?? null });
  const project = await registryProject(ctx, request);
  await authorizeProject(ctx.db, request.principal, project, 'publish', 'registry');

  const form: UploadForm = { fields: {}, zip: null };
  // A raw zip body (Content-Type application/zip or application/octet-stream) arrives whole from its parser.
  if (Buffer.isBuffer(request.body)) form.zip = request.body;
  else await readForm(request, form);
  const given = {
    version: form.fields.version ?? query.version,
    tag: form.fields.tag ?? query.tag,
    branch: form.fields.branch ?? query.branch,
  };
  noteAttempt(request, { format: 'composer', name: null, version: given.version ?? given.tag ?? null });
  if (given.branch !== undefined) throw errors.badRequest('branch is not supported: Trove has no git repository; upload the zip with a version');
  if (given.version !== undefined && given.tag !== undefined && given.version !== given.tag) throw errors.badRequest('version and tag are both given and differ');
  if (!form.zip) throw errors.badRequest('The upload has no zip in the "package" field');

  const { composerJson } = await readPackageZip(form.zip);
  const declaredVersion = typeof composerJson.version === 'string' ? composerJson.version : undefined;
  const rawName = typeof composerJson.name === 'string' ? composerJson.name : null;
  const rawVersion = given.version ?? given.tag ?? declaredVersion;
  noteAttempt(request, { format: 'composer', name: rawName, version: rawVersion ?? null });
  const name = assertComposerName(composerJson.name);
  const version = assertComposerVersion(rawVersion);
  const normalized = composerVersionNormalized(version);
  if (declaredVersion !== undefined && (given.version ?? given.tag) !== undefined && composerVersionNormalized(assertComposerVersion(declaredVersion)) !== normalized) {
    throw errors.badRequest(`version ${version} differs from composer.json's "version" ${declaredVersion}`);
  }

  const existing = await listPackageVersions(ctx.db, project.id, 'composer', name);
  // A deleted version keeps its version until purged: createVersion refuses it with its own message.
  const live = existing.filter((v) => v.status !== 'pending_destruction');
  if (live.some((v) => v.version === version || parseVersionMetadata(v).version_normalized === normalized)) {
    throw errors.forbidden(DUPLICATE);
  }
  const blob = await ctx.blobs.put(form.zip, { maxBytes: ctx.config.composerMaxUploadBytes });
  // A concurrent upload of the same version fails on the unique constraint (409).
  await ctx.packages.write(auditContextOf(request), project, (writer) =>
    writer.createVersion({
      format: 'composer',
      name,
      normalizedName: name,
      version,
      metadata: versionMetadata(composerJson, normalized),
      files: [{ fileName: composerFileName(name, version), blob }],
    }),
  );
  return { message: '201 Created' };
}
