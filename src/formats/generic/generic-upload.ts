import type { FastifyReply } from 'fastify';
import { authorizeProject } from '../../core/accounts/permissions.js';
import type { Project } from '../../core/accounts/projects.js';
import { duplicateAllowed, duplicateRuleFor, type DuplicateSettings } from '../../core/packages/duplicates.js';
import type { BooleanFormatSetting, RegexFormatSetting } from '../../core/packages/format-settings.js';
import { errors } from '../../core/errors.js';
import { packageFileToApi } from '../../core/packages/package-json.js';
import { filesOf, findPackageVersion } from '../../core/packages/packages.js';
import type { AppContext } from '../../http/app-context.js';
import { auditContextOf } from '../../http/request-context.js';
import { noteAttempt } from '../format-errors.js';
import { assertDeclaredSize, receiveRawUpload, type RawUploadBody } from '../format-upload.js';
import { formatParams, formatQuery, type FormatRequest } from '../format-schemas.js';
import { registryProject } from '../registry-project.js';
import { assertGenericFileName, assertGenericName, assertGenericVersion, parseGenericSelect, parseGenericStatus } from './generic-names.js';

export const GENERIC_PARAMS = formatParams('id', 'package_name', 'package_version', 'file_name');
export const GENERIC_UPLOAD_QUERY = formatQuery('status', 'select');
export type GenericRequest = FormatRequest<typeof GENERIC_PARAMS>;
/** The body of an upload: the request stream the format's content-type parser hands through. */
export type GenericUploadBody = RawUploadBody;
type UploadRequest = FormatRequest<typeof GENERIC_PARAMS, typeof GENERIC_UPLOAD_QUERY> & { body: GenericUploadBody };

// A second file with the same name in a version is refused unless the namespace allows duplicates
// by GitLab's rule (src/core/packages/duplicates.ts: generic_duplicates_allowed, off by default
// here, reversed for names or versions generic_duplicate_exception_regex matches). Where allowed,
// the upload replaces the file, audited with the old and new digest: an audited sha256 must keep
// naming the bytes served.
const DUPLICATE = 'Duplicate package file is not allowed';

export const GENERIC_DUPLICATES_ALLOWED: BooleanFormatSetting = {
  kind: 'boolean',
  key: 'generic_duplicates_allowed',
  description: 'A generic upload under an existing file name replaces that file (audited as package_file_replaced) instead of being refused with 403.',
  default: false,
};

export const GENERIC_DUPLICATE_EXCEPTION_REGEX: RegexFormatSetting = {
  kind: 'regex',
  key: 'generic_duplicate_exception_regex',
  description: 'Package names or versions this regular expression matches get the opposite of generic_duplicates_allowed (empty: no exception).',
  default: '',
};

const GENERIC_DUPLICATES: DuplicateSettings = { allowed: GENERIC_DUPLICATES_ALLOWED, exceptionRegex: GENERIC_DUPLICATE_EXCEPTION_REGEX };

/** Whether the project's namespace (or the nearest one above it that says so) allows a duplicate of this generic file. */
async function duplicateAllowedIn(ctx: AppContext, project: Project, name: string, version: string): Promise<boolean> {
  return duplicateAllowed(await duplicateRuleFor(ctx.db, project, GENERIC_DUPLICATES), name, version);
}

/**
 * PUT .../packages/generic/:package_name/:package_version/:file_name: the first file of a
 * version publishes it, later ones are added to it. Everything that can be refused without
 * the body (rights, names, declared size, duplicates) is checked before reading it.
 */
export async function uploadGenericFile(ctx: AppContext, request: UploadRequest, reply: FastifyReply) {
  const { package_name: rawName, package_version: rawVersion, file_name: rawFileName } = request.params;
  noteAttempt(request, { format: 'generic', name: rawName, version: rawVersion });
  const project = await registryProject(ctx, request);
  await authorizeProject(ctx.db, request.principal, project, 'publish', 'registry');
  const name = assertGenericName(rawName);
  const version = assertGenericVersion(rawVersion);
  const fileName = assertGenericFileName(rawFileName);
  const status = parseGenericStatus(request.query.status);
  const select = parseGenericSelect(request.query.select);
  assertDeclaredSize(request, ctx.config.genericMaxUploadBytes);

  const existing = await findPackageVersion(ctx.db, project.id, 'generic', name, version);
  const replaced = existing ? (await filesOf(ctx.db, [existing.id])).find((f) => f.file_name === fileName) : undefined;
  if (replaced && !(await duplicateAllowedIn(ctx, project, name, version))) throw errors.forbidden(DUPLICATE);

  const blob = await receiveRawUpload(ctx, request, request.body, ctx.config.genericMaxUploadBytes);
  // A concurrent upload of the same version or file name makes this write fail on the unique
  // constraint (409); GitLab likewise asks clients to upload a version's files one at a time.
  const packageId = await ctx.packages.write(
    auditContextOf(request),
    project,
    async (writer) => {
      const file = { fileName, blob };
      if (!existing) {
        return (await writer.createVersion({ format: 'generic', name, normalizedName: name, version, metadata: {}, status, files: [file] })).id;
      }
      if (replaced) await writer.replaceFile(existing, replaced, blob);
      else await writer.addFile(existing, file);
      if (status !== undefined) await writer.setStatus(existing, status);
      return existing.id;
    },
  );
  if (select === 'package_file') {
    const stored = (await filesOf(ctx.db, [packageId])).find((f) => f.file_name === fileName)!;
    return reply.status(200).send(packageFileToApi(stored));
  }
  return reply.status(201).send({ message: '201 Created' });
}
