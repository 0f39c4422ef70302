import type { FastifyReply } from 'fastify';
import { authorizeProject } from '../../core/accounts/permissions.js';
import { errors } from '../../core/errors.js';
import { filesOf, findPackageVersion } from '../../core/packages/packages.js';
import type { AppContext } from '../../http/app-context.js';
import { auditContextOf } from '../../http/request-context.js';
import { noteAttempt } from '../format-errors.js';
import { formatParams, type FormatRequest } from '../format-schemas.js';
import { assertDeclaredSize, receiveRawUpload, type RawUploadBody } from '../format-upload.js';
import { registryProject } from '../registry-project.js';
import { readGemSpec } from './rubygems-gem.js';
import { gemFullName } from './rubygems-names.js';

export const PUSH_PARAMS = formatParams('id');
type PushRequest = FormatRequest<typeof PUSH_PARAMS> & { body: RawUploadBody };

// rubygems.org's answer to a second push of a version (gem prints it): versions are immutable.
const REPUSH = 'Repushing of gem versions is not allowed.\nPlease use `gem yank` to remove bad gem releases.';

/**
 * `gem push`: POST .../api/v1/gems with the .gem as the body. The gem streams into the blob store
 * under TROVE_RUBYGEMS_MAX_UPLOAD_BYTES, then its specification is read back from there; name,
 * version and platform come from the specification (the client sends no file name), and the
 * stored file is named as gem names it, <name>-<version>[-<platform>].gem. A first platform of a
 * version publishes it; another platform's gem is added to it.
 */
export async function pushGem(ctx: AppContext, request: PushRequest, reply: FastifyReply) {
  noteAttempt(request, { format: 'rubygems', name: null, version: null });
  const project = await registryProject(ctx, request);
  await authorizeProject(ctx.db, request.principal, project, 'publish', 'registry');
  const maxBytes = ctx.config.rubygemsMaxUploadBytes;
  assertDeclaredSize(request, maxBytes);
  const blob = await receiveRawUpload(ctx, request, request.body, maxBytes);
  if (blob.size === 0) throw errors.badRequest('The request has no gem: send the .gem as the body');
  const spec = await readGemSpec(await ctx.blobs.openForDownload(blob.sha256, blob.size), (name, version) =>
    noteAttempt(request, { format: 'rubygems', name, version }),
  );
  const fileName = `${gemFullName(spec.name, spec.version, spec.platform)}.gem`;
  const existing = await findPackageVersion(ctx.db, project.id, 'rubygems', spec.name, spec.version);
  if (existing && (await filesOf(ctx.db, [existing.id])).some((f) => f.file_name === fileName)) throw errors.conflict(REPUSH);
  const versionMetadata = { summary: spec.summary, authors: spec.authors, homepage: spec.homepage, licenses: spec.licenses };
  // A concurrent push of the same version fails on the unique constraint (409) inside the write.
  await ctx.packages.write(auditContextOf(request), project, async (writer) => {
    const file = { fileName, blob, metadata: spec };
    if (existing) await writer.addFile(existing, file);
    else await writer.createVersion({ format: 'rubygems', name: spec.name, normalizedName: spec.name, version: spec.version, metadata: versionMetadata, files: [file] });
  });
  return reply.status(201).type('text/plain; charset=utf-8').send(`Successfully registered gem: ${spec.name} (${fileName.slice(spec.name.length + 1, -'.gem'.length)})`);
}
