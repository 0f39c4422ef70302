import type { FastifyReply } from 'fastify';
import type { PackageFileRow } from '../core/packages/packages.js';
import type { AppContext } from '../http/app-context.js';

/**
 * Streams a stored package file from the blob store (never read into memory), with its size
 * and its sha256 as a strong ETag. `attachment` adds Content-Disposition for clients such as
 * curl -OJ and browsers; file names reaching here were validated by the format (no quotes).
 */
export async function sendPackageFile(ctx: AppContext, reply: FastifyReply, file: PackageFileRow, options: { attachment?: boolean } = {}) {
  const stream = await ctx.blobs.open(file.sha256);
  reply.type('application/octet-stream').header('content-length', String(file.size)).header('etag', `"${file.sha256}"`);
  if (options.attachment) reply.header('content-disposition', `attachment; filename="${file.file_name}"`);
  return reply.send(stream);
}
