import type { FastifyReply } from 'fastify';
import type { Project } from '../core/accounts/projects.js';
import type { PackageFileRow, PackageIdentity } from '../core/packages/packages.js';
import type { AppContext } from '../http/app-context.js';
import { auditContextOf } from '../http/request-context.js';

/** What is being downloaded, for its audit event: the project and the file's version. */
export interface DownloadSource {
  project: Project;
  package: PackageIdentity;
}

/**
 * Sends a stored package file: small ones from memory (src/storage/blobs/cached-blob-store.ts),
 * others streamed from the blob store (never read into memory whole); with its size
 * and its sha256 as a strong ETag. `attachment` adds Content-Disposition for clients such as
 * curl -OJ and browsers; file names reaching here were validated by the format (no quotes).
 * `contentType` for protocols that name one (Go's .info is JSON); octet-stream otherwise.
 * `metadata`: a stored file the client reads to resolve versions rather than to install (Go's
 * .info and .mod, fetched for every module in the dependency graph), served without a download event.
 *
 * Every format's file download comes through here, so this is where download events
 * (`package_registry_package_downloaded`, src/core/audit/download-events.ts) are recorded: when the
 * project's namespace has them on, a GET whose 200 response body was handed completely to the
 * connection queues one event. HEAD requests, errors and aborted transfers record nothing; metadata
 * (packuments, simple indexes) never comes here.
 */
export async function sendPackageFile(
  ctx: AppContext,
  reply: FastifyReply,
  file: PackageFileRow,
  source: DownloadSource,
  options: { attachment?: boolean; contentType?: string; metadata?: boolean } = {},
) {
  const request = reply.request;
  const recording = request.method === 'GET' && !options.metadata ? await ctx.downloadEvents.recordingFor(source.project) : null;
  const body = await ctx.blobs.openForDownload(file.sha256, file.size);
  reply.type(options.contentType ?? 'application/octet-stream').header('content-length', String(file.size)).header('etag', `"${file.sha256}"`);
  if (options.attachment) reply.header('content-disposition', `attachment; filename="${file.file_name}"`);
  if (recording) {
    const audit = auditContextOf(request);
    const downloaded = { project: source.project, namespace: recording.namespace, pkg: source.package, file };
    // Whether the whole file went out is decided when the response closes, by counting the bytes
    // the file stream handed to the response (our 'data' listener runs after pipe's write).
    // Neither 'finish' nor the end of the stream will do: a client that closes its connection as
    // soon as it has Content-Length bytes (curl does) can beat Node to the write's completion and
    // to the file's end-of-file read, and then neither ever comes although the file was delivered.
    // An aborted transfer stops the stream early, so it is not recorded. A small file served from
    // memory is handed to the connection whole, in one write.
    let handed = Buffer.isBuffer(body) ? body.length : 0;
    reply.raw.once('pipe', (source) => source.on('data', (chunk: Buffer) => (handed += chunk.length)));
    reply.raw.once('close', () => {
      if (reply.raw.statusCode === 200 && handed === file.size) ctx.downloadEvents.enqueue(audit, downloaded);
    });
  }
  return reply.send(body);
}
