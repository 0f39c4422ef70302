import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isTroveError } from '../core/errors.js';
import { isUniqueViolation } from '../storage/db/db-errors.js';

export interface HttpError {
  statusCode: number;
  message: string;
  headers: Record<string, string>;
  /** A request that did not match its route's schema: GitLab answers those with {"error": ...}. */
  invalidParameter?: true;
}

interface SchemaViolation {
  instancePath?: string;
  keyword?: string;
  params?: { missingProperty?: string };
}

/**
 * GitLab's wording for a parameter its API declaration refuses: "page is invalid", "order_by does
 * not have a valid value", "name is missing". Only the first violation is reported, as GitLab does.
 */
function invalidParameterMessage(error: Partial<FastifyError>): string {
  const violation = (error.validation?.[0] ?? {}) as SchemaViolation;
  const path = (violation.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
  if (violation.keyword === 'required') return `${path ? `${path}.` : ''}${violation.params?.missingProperty ?? 'a parameter'} is missing`;
  const name = path || (error.validationContext === 'body' ? 'body' : 'a parameter');
  return violation.keyword === 'enum' ? `${name} does not have a valid value` : `${name} is invalid`;
}

/** The one mapping from anything thrown to a status and a message that is safe to show. */
export function toHttpError(error: unknown): HttpError {
  if (isTroveError(error)) return { statusCode: error.statusCode, message: error.message, headers: error.headers };
  const fastifyError = error as Partial<FastifyError>;
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { statusCode: 413, message: 'Request body is too large', headers: {} };
    if (fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return { statusCode: 415, message: 'Unsupported media type', headers: {} };
    if (fastifyError.validation) return { statusCode: 400, message: invalidParameterMessage(fastifyError), headers: {}, invalidParameter: true };
    return { statusCode: status, message: fastifyError.message ?? 'Bad request', headers: {} };
  }
  if (isUniqueViolation(error)) return { statusCode: 409, message: 'Conflict: a concurrent request created the same resource', headers: {} };
  if (error instanceof SyntaxError) return { statusCode: 400, message: `Malformed JSON: ${error.message}`, headers: {} };
  return { statusCode: 500, message: '500 Internal Server Error', headers: {} };
}

/** Sends the error with a body shaped by `shape` (GitLab's {"message"} unless a format says otherwise). */
export function sendError(request: FastifyRequest, reply: FastifyReply, error: unknown, shape: (message: string, mapped: HttpError) => unknown) {
  const mapped = toHttpError(error);
  if (mapped.statusCode >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ status: mapped.statusCode, reason: mapped.message }, 'request refused');
  return reply.status(mapped.statusCode).headers(mapped.headers).send(shape(mapped.message, mapped));
}

/** GitLab's REST API: {"error": ...} for a parameter its declaration refuses, {"message": ...} otherwise. */
export const gitLabErrorBody = (message: string, mapped: HttpError) => (mapped.invalidParameter ? { error: message } : { message });

/** `pageFallback` may answer an unknown path first (the web UI's client-side routes, src/http/web-ui.ts). */
export function registerErrorHandler(app: FastifyInstance, pageFallback?: (request: FastifyRequest, reply: FastifyReply) => FastifyReply | null): void {
  app.setErrorHandler((error, request, reply) => sendError(request, reply, error, gitLabErrorBody));
  app.setNotFoundHandler((request, reply) => pageFallback?.(request, reply) ?? reply.status(404).send({ message: '404 Not Found' }));
}
