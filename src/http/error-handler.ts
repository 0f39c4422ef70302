import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isTroveError } from '../core/errors.js';
import { isUniqueViolation } from '../storage/db/db-errors.js';

export interface HttpError {
  statusCode: number;
  message: string;
  headers: Record<string, string>;
}

/** The one mapping from anything thrown to a status and a message that is safe to show. */
export function toHttpError(error: unknown): HttpError {
  if (isTroveError(error)) return { statusCode: error.statusCode, message: error.message, headers: error.headers };
  const fastifyError = error as Partial<FastifyError>;
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { statusCode: 413, message: 'Request body is too large', headers: {} };
    if (fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return { statusCode: 415, message: 'Unsupported media type', headers: {} };
    return { statusCode: status, message: fastifyError.message ?? 'Bad request', headers: {} };
  }
  if (isUniqueViolation(error)) return { statusCode: 409, message: 'Conflict: a concurrent request created the same resource', headers: {} };
  if (error instanceof SyntaxError) return { statusCode: 400, message: `Malformed JSON: ${error.message}`, headers: {} };
  return { statusCode: 500, message: '500 Internal Server Error', headers: {} };
}

/** Sends the error with a body shaped by `shape` (GitLab's {"message"} unless a format says otherwise). */
export function sendError(request: FastifyRequest, reply: FastifyReply, error: unknown, shape: (message: string) => unknown) {
  const mapped = toHttpError(error);
  if (mapped.statusCode >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ status: mapped.statusCode, reason: mapped.message }, 'request refused');
  return reply.status(mapped.statusCode).headers(mapped.headers).send(shape(mapped.message));
}

/** `pageFallback` may answer an unknown path first (the web UI's client-side routes, src/http/web-ui.ts). */
export function registerErrorHandler(app: FastifyInstance, pageFallback?: (request: FastifyRequest, reply: FastifyReply) => FastifyReply | null): void {
  app.setErrorHandler((error, request, reply) => sendError(request, reply, error, (message) => ({ message })));
  app.setNotFoundHandler((request, reply) => pageFallback?.(request, reply) ?? reply.status(404).send({ message: '404 Not Found' }));
}
