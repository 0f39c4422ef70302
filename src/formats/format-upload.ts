import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { errors } from '../core/errors.js';
import type { Api } from '../http/api.js';
import type { AppContext } from '../http/app-context.js';
import type { StoredBlob } from '../storage/blobs/blob-store.js';

// Uploads whose body is the file itself (generic, Maven): the format's content-type parser hands the
// raw request stream through, so no parser buffers it and it streams into the blob store.

/** The body of such an upload: the request stream, absent when the body is empty. */
export type RawUploadBody = Readable | undefined;

/** A declared size over the limit is refused before a single byte is read. */
export function assertDeclaredSize(request: FastifyRequest, maxBytes: number): void {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw errors.payloadTooLarge(`File is larger than the limit of ${maxBytes} bytes`);
}

/**
 * Streams the request body into the blob store. A refusal while streaming (413) leaves the request
 * readable and drains the rest, so a client that is still sending gets the 413 instead of a reset
 * connection. Node's parser ends the body at Content-Length, so a body shorter than declared can
 * only show up as a connection that closed early.
 */
export async function receiveRawUpload(
  ctx: AppContext,
  request: FastifyRequest,
  body: RawUploadBody,
  maxBytes: number,
  /** The part of the body that is the file, when the body frames it (cargo's publish); else the whole body. */
  source?: AsyncIterable<Buffer>,
): Promise<StoredBlob> {
  if (body === undefined) return ctx.blobs.put(Buffer.alloc(0), { maxBytes });
  try {
    return await ctx.blobs.put(source ?? body.iterator({ destroyOnReturn: false }), { maxBytes });
  } catch (error) {
    if (request.raw.readableAborted || (error as NodeJS.ErrnoException).code === 'ECONNRESET') {
      throw errors.badRequest('Upload incomplete: the connection closed before Content-Length bytes arrived');
    }
    body.resume();
    throw error;
  }
}

/** Reads a small body whole (a checksum file), refusing more than `maxBytes`. */
export async function readSmallBody(body: RawUploadBody, maxBytes: number): Promise<Buffer> {
  if (body === undefined) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body.iterator({ destroyOnReturn: false })) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      body.resume();
      // The same answer as a Content-Length that declares too much (assertDeclaredSize).
      throw errors.payloadTooLarge(`File is larger than the limit of ${maxBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Hands every request body through as the raw stream (see above), whatever its Content-Type. */
export function acceptRawBodies(scope: Api): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
}
