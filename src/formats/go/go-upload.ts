import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyReply } from 'fastify';
import { authorizeProject } from '../../core/accounts/permissions.js';
import { errors } from '../../core/errors.js';
import { filesOf, findPackageVersion } from '../../core/packages/packages.js';
import type { AppContext } from '../../http/app-context.js';
import { auditContextOf } from '../../http/request-context.js';
import type { StoredBlob } from '../../storage/blobs/blob-store.js';
import { noteAttempt } from '../format-errors.js';
import { assertDeclaredSize, readSmallBody, type RawUploadBody } from '../format-upload.js';
import { formatParams, type FormatRequest } from '../format-schemas.js';
import { registryProject } from '../registry-project.js';
import { checkGoInfo, checkGoMod, checkGoZip, GO_MAX_INFO_BYTES, GO_MAX_MOD_BYTES, GO_MAX_ZIP_BYTES } from './go-files.js';
import { assertVersionFitsPath, goFileName, parseGoPath, unescapeGoPath, type GoFileKind } from './go-names.js';

export const GO_PARAMS = formatParams('id', '*');
export type GoRequest = FormatRequest<typeof GO_PARAMS>;
type UploadRequest = GoRequest & { body: RawUploadBody };

// A Go module version is three files: .info, .mod and .zip (`go help goproxy`). GitLab makes them
// from git tags; Trove has no git, so each is uploaded with a PUT to the URL go reads it from. The
// first file of a version publishes it (package_published), each later one is added to it
// (package_file_added): every stored byte has its own audit event. go is shown a version (in
// @v/list and @latest) only once all three files are there. A version's files never change (go
// checks them against go.sum): a second upload of one is refused.

/** What a refusal is audited with: the path as sent, case-decoded where it can be. */
function attemptOf(rest: string): { name: string | null; version: string | null } {
  const at = rest.indexOf('/@');
  const rawModule = at < 0 ? rest : rest.slice(0, at);
  const rawVersion = at < 0 ? null : (/^@v\/(.+)\.(info|mod|zip)$/.exec(rest.slice(at + 1))?.[1] ?? null);
  return { name: unescapeGoPath(rawModule) ?? rawModule, version: rawVersion === null ? null : (unescapeGoPath(rawVersion) ?? rawVersion) };
}

/** The most bytes each file may have: Go's own limits, and Trove's upload limit for the zip. */
function limitOf(ctx: AppContext, kind: GoFileKind): number {
  if (kind === 'info') return GO_MAX_INFO_BYTES;
  if (kind === 'mod') return GO_MAX_MOD_BYTES;
  return Math.min(ctx.config.maxUploadBytes, GO_MAX_ZIP_BYTES);
}

/** Counts bytes through, failing with 413 past the limit. */
function byteLimit(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > maxBytes) done(errors.payloadTooLarge(`File is larger than the limit of ${maxBytes} bytes`));
      else done(null, chunk);
    },
  });
}

/**
 * The zip is checked before anything is stored: yauzl needs random access, so the upload goes to a
 * private temporary file first, and only a zip that passes reaches the blob store.
 */
async function receiveZip(ctx: AppContext, request: UploadRequest, maxBytes: number, module: string, version: string): Promise<StoredBlob> {
  const body = request.body;
  const dir = await mkdtemp(join(tmpdir(), 'trove-go-zip-'));
  try {
    const file = join(dir, 'module.zip');
    if (body === undefined) throw errors.badRequest('.zip is invalid: empty body');
    try {
      await pipeline(body.iterator({ destroyOnReturn: false }), byteLimit(maxBytes), createWriteStream(file, { mode: 0o600 }));
    } catch (error) {
      if (request.raw.readableAborted || (error as NodeJS.ErrnoException).code === 'ECONNRESET') {
        throw errors.badRequest('Upload incomplete: the connection closed before Content-Length bytes arrived');
      }
      // Let a client that is still sending read the refusal rather than a reset connection.
      body.resume();
      throw error;
    }
    await checkGoZip(file, module, version);
    return await ctx.blobs.put(createReadStream(file), { maxBytes });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** PUT .../packages/go/<module>/@v/<version>.info|.mod|.zip */
export async function uploadGoFile(ctx: AppContext, request: UploadRequest, reply: FastifyReply) {
  const rest = request.params['*'];
  noteAttempt(request, { format: 'go', ...attemptOf(rest) });
  const project = await registryProject(ctx, request);
  await authorizeProject(ctx.db, request.principal, project, 'publish', 'registry');
  const path = parseGoPath(rest);
  if (path.kind === 'list' || path.kind === 'latest') throw errors.badRequest('Only <module>/@v/<version>.info, .mod and .zip can be uploaded');
  const { module, version, kind } = path;
  assertVersionFitsPath(module, version);
  const maxBytes = limitOf(ctx, kind);
  assertDeclaredSize(request, maxBytes);
  const fileName = goFileName(version, kind);

  const existing = await findPackageVersion(ctx.db, project.id, 'go', module, version);
  if (existing && (await filesOf(ctx.db, [existing.id])).some((f) => f.file_name === fileName)) {
    throw errors.forbidden(`${fileName} of ${module} already exists: a module version's files cannot change`);
  }

  let blob: StoredBlob;
  if (kind === 'zip') {
    blob = await receiveZip(ctx, request, maxBytes, module, version);
  } else {
    const bytes = await readSmallBody(request.body, maxBytes);
    if (kind === 'info') checkGoInfo(bytes, version);
    else checkGoMod(bytes, module);
    blob = await ctx.blobs.put(bytes, { maxBytes });
  }
  // A concurrent upload of the same file or version fails on the unique constraint (409).
  await ctx.packages.write(auditContextOf(request), project, async (writer) => {
    const file = { fileName, blob };
    if (!existing) await writer.createVersion({ format: 'go', name: module, normalizedName: module, version, metadata: {}, files: [file] });
    else await writer.addFile(existing, file);
  });
  return reply.status(201).send({ message: '201 Created' });
}
