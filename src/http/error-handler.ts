import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isTroveError } from '../core/errors.js';
import { isUniqueViolation } from '../storage/db/db-errors.js';

export interface HttpError {
  statusCode: number;
  message: string;
  headers: Record<string, string>;
  /** A request that did not match its route's schema: GitLab answers those with {"error": ...}. */
  invalidParameter?: true;
  /** A token without the scope the request needs: the scopes that would do (see gitLabErrorBody). */
  requiredScope?: string;
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
  // An item of a list is reported as the list ("scopes does not have a valid value"), as GitLab does.
  const path = (violation.instancePath ?? '').split('/').filter((part) => part !== '' && !/^\d+$/.test(part)).join('.');
  if (violation.keyword === 'required') return `${path ? `${path}.` : ''}${violation.params?.missingProperty ?? 'a parameter'} is missing`;
  const name = path || (error.validationContext === 'body' ? 'body' : 'a parameter');
  return violation.keyword === 'enum' ? `${name} does not have a valid value` : `${name} is invalid`;
}

/** The one mapping from anything thrown to a status and a message that is safe to show. */
export function toHttpError(error: unknown): HttpError {
  if (isTroveError(error)) return { statusCode: error.statusCode, message: error.message, headers: error.headers, requiredScope: error.requiredScope };
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

/**
 * GitLab's REST API: {"error": ...} for a parameter its declaration refuses, OAuth's
 * {"error": "insufficient_scope", "error_description", "scope"} for a token without the scope the
 * request needs (so a client can say which scope to add), {"message": ...} otherwise.
 */
export function gitLabErrorBody(message: string, mapped: HttpError): Record<string, string> {
  if (mapped.invalidParameter) return { error: message };
  if (mapped.requiredScope) return { error: message, error_description: scopeDescription(mapped.requiredScope), scope: mapped.requiredScope };
  return { message };
}

function scopeDescription(requiredScope: string): string {
  const scopes = requiredScope.split(' ');
  const needs = scopes.length === 1 ? `the ${scopes[0]} scope` : `one of the scopes ${scopes.join(', ')}`;
  return `The request requires higher privileges than provided by the access token: it needs ${needs}.`;
}

/** `pageFallback` may answer an unknown path first (the web UI's client-side routes, src/http/web-ui.ts). */
export function registerErrorHandler(app: FastifyInstance, pageFallback?: (request: FastifyRequest, reply: FastifyReply) => FastifyReply | null): void {
  app.setErrorHandler((error, request, reply) => sendError(request, reply, error, gitLabErrorBody));
  app.setNotFoundHandler((request, reply) => pageFallback?.(request, reply) ?? reply.status(404).send({ message: '404 Not Found' }));
}
