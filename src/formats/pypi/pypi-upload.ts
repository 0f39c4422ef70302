import type {} from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { UploadCreated } from '../../contracts/package-clients.js';
import type { Project } from '../../core/accounts/projects.js';
import { errors, isTroveError } from '../../core/errors.js';
import { filesOf, listPackageVersions } from '../../core/packages/packages.js';
import { checkPep740Attestations } from '../../core/packages/provenance.js';
import type { AppContext } from '../../http/app-context.js';
import { auditContextOf } from '../../http/request-context.js';
import type { StoredBlob } from '../../storage/blobs/blob-store.js';
import { noteAttempt } from '../format-errors.js';
import type { PypiFileMetadata } from './pypi-metadata.js';
import {
  assertFileBelongs,
  assertPypiFileName,
  assertPypiName,
  assertPypiVersion,
  normalizePypiName,
  sameVersion,
} from './pypi-names.js';

// Metadata fields kept on the version (the rest of the form is client bookkeeping).
const VERSION_FIELDS = ['summary', 'description_content_type', 'author', 'author_email', 'maintainer', 'license', 'home_page', 'keywords', 'requires_python', 'metadata_version'];

interface UploadForm {
  fields: Record<string, string>;
  fileName: string | null;
  blob: StoredBlob | null;
}

/**
 * Limits of the multipart parser (pypi-routes.ts): a field past them is refused, never cut short.
 * twine sends every classifier, requirement and project URL as a field of its own: real packages
 * send hundreds (the 1 MiB per field and the upload size still bound the whole form).
 */
export const FORM_LIMITS = { fieldSize: 1024 * 1024, fields: 2000, parts: 2010, files: 1 };
/** All form fields together: what one upload may make the server hold in memory besides the file. */
const FORM_FIELDS_MAX_BYTES = 8 * 1024 * 1024;

// PyPI's own limit, with its message (twine shows it): warehouse refuses a longer summary.
const SUMMARY_MAX_CHARS = 512;

/**
 * Errors of the multipart parser (busboy: "Multipart: Boundary not found", "Unexpected end of
 * multipart data", ...) carry no status: a body it cannot parse is the client's fault (400).
 */
function malformed(error: unknown): unknown {
  if (isTroveError(error) || typeof (error as { statusCode?: unknown }).statusCode === 'number') return error;
  return errors.badRequest(`Malformed multipart/form-data upload: ${(error as Error).message}`);
}

/** "'summary' field" as PyPI says it; a name that is no metadata field's (long, odd characters) is not repeated. */
function fieldLabel(name: string): string {
  return /^[\w:.-]{1,64}$/.test(name) ? `'${name}' field` : 'A form field';
}

/** Reads twine's multipart form into `form`, streaming `content` into the blob store as it arrives. */
async function readForm(ctx: AppContext, request: FastifyRequest, form: UploadForm): Promise<void> {
  if (!request.isMultipart()) throw errors.badRequest('Expected a multipart/form-data upload (twine upload)');
  // A failure of the blob store itself stays a 500; anything else here is the body's fault.
  let storeFailure: unknown = null;
  let fieldBytes = 0;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'content' || form.blob) {
          part.file.resume();
          throw errors.badRequest(`Unexpected file field "${part.fieldname}"`);
        }
        form.fileName = part.filename;
        let partError: unknown = null;
        part.file.on('error', (error: unknown) => (partError = error));
        try {
          form.blob = await ctx.blobs.put(part.file, { maxBytes: ctx.config.maxUploadBytes });
        } catch (error) {
          if (partError === null) storeFailure = error;
          throw error;
        }
      } else {
        if (part.valueTruncated) throw errors.badRequest(`${fieldLabel(part.fieldname)} is longer than ${FORM_LIMITS.fieldSize} bytes`);
        if (typeof part.value !== 'string') continue;
        fieldBytes += Buffer.byteLength(part.value);
        if (fieldBytes > FORM_FIELDS_MAX_BYTES) throw errors.badRequest(`The form fields together are longer than ${FORM_FIELDS_MAX_BYTES} bytes`);
        form.fields[part.fieldname] = part.value;
      }
    }
  } catch (error) {
    throw error === storeFailure ? error : malformed(error);
  }
}

function assertFieldLimits(fields: Record<string, string>): void {
  if (fields.summary !== undefined && [...fields.summary].length > SUMMARY_MAX_CHARS) {
    throw errors.badRequest(`'summary' field must be ${SUMMARY_MAX_CHARS} characters or less.`);
  }
}

function digestMatches(given: string | undefined, actual: string): boolean {
  return given === undefined || given === '' || given.toLowerCase() === actual;
}

/**
 * `twine upload`: the first file of a version publishes it, later files (another wheel, the
 * sdist) are added to it. A file name that already exists is refused (400, as PyPI does).
 */
export async function uploadPypiFile(ctx: AppContext, request: FastifyRequest, project: Project): Promise<UploadCreated> {
  const form: UploadForm = { fields: {}, fileName: null, blob: null };
  try {
    await readForm(ctx, request, form);
    const { fields } = form;
    noteAttempt(request, { format: 'pypi', name: fields.name ?? null, version: fields.version ?? null });
    assertFieldLimits(fields);
    if (fields[':action'] !== undefined && fields[':action'] !== 'file_upload') throw errors.badRequest(`Unsupported :action ${fields[':action']}`);
    const name = assertPypiName(fields.name);
    const version = assertPypiVersion(fields.version);
    if (!form.blob || form.fileName === null) throw errors.badRequest('The upload has no file in the "content" field');
    const fileName = assertPypiFileName(form.fileName);
    const filetype = fields.filetype ?? (fileName.endsWith('.whl') ? 'bdist_wheel' : 'sdist');
    if (filetype !== 'bdist_wheel' && filetype !== 'sdist') throw errors.badRequest(`Unsupported filetype ${String(fields.filetype)}`);
    const normalizedName = normalizePypiName(name);
    assertFileBelongs(fileName, filetype, normalizedName, version);
    if (!digestMatches(fields.sha256_digest, form.blob.sha256)) throw errors.badRequest('sha256_digest does not match the uploaded file');
    if (!digestMatches(fields.md5_digest, form.blob.md5)) throw errors.badRequest('md5_digest does not match the uploaded file');

    const blob = form.blob;
    // PEP 740 (twine upload --attestations): checked before anything is stored, stored with the file.
    const provenance = fields.attestations ? checkPep740Attestations(fields.attestations, { name: fileName, sha256: blob.sha256, sha512: blob.sha512 }) : [];
    const fileMetadata: PypiFileMetadata = { filetype, pyversion: fields.pyversion || null, requires_python: fields.requires_python || null };
    const existing = (await listPackageVersions(ctx.db, project.id, 'pypi', normalizedName)).find((v) => sameVersion(v.version, version));
    if (existing && (await filesOf(ctx.db, [existing.id])).some((f) => f.file_name === fileName)) {
      throw errors.badRequest(`File already exists: ${fileName}`);
    }
    const versionMetadata = Object.fromEntries(VERSION_FIELDS.filter((f) => fields[f]).map((f) => [f, fields[f]]));
    await ctx.packages.write(auditContextOf(request), project, async (writer) => {
      const file = { fileName, blob, metadata: fileMetadata, provenance };
      if (existing) await writer.addFile(existing, file);
      else await writer.createVersion({ format: 'pypi', name, normalizedName, version, metadata: versionMetadata, files: [file] });
    });
    return { message: '201 Created' };
  } catch (error) {
    // The refusal is audited with what the form said before it went wrong (a truncated body, a field too long).
    noteAttempt(request, { format: 'pypi', name: form.fields.name ?? null, version: form.fields.version ?? null });
    throw error;
  }
}
