import type { FastifyRequest } from 'fastify';
import { findProject } from '../core/accounts/projects.js';
import type { Api } from '../http/api.js';
import type { AppContext } from '../http/app-context.js';
import { recordDenial, type AttemptDescription } from '../http/denials.js';
import { sendError, type HttpError } from '../http/error-handler.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** What a format's write handler was trying to change, for the publish_denied event. */
    packageAttempt: AttemptDescription | null;
  }
}

const WRITE_METHODS = new Set(['PUT', 'POST', 'DELETE', 'PATCH']);

/**
 * Names in a refused request are whatever the client sent: control characters are kept visible
 * as \uXXXX (PostgreSQL text refuses NUL, which would lose the publish_denied event) and the
 * length is capped.
 */
function printable(value: string | null): string | null {
  if (value === null) return null;
  return value.slice(0, 255).replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Notes what the request tries to change, so a refusal is audited with the package name and version. */
export function noteAttempt(request: FastifyRequest, attempt: AttemptDescription): void {
  request.packageAttempt = { ...attempt, name: printable(attempt.name), version: printable(attempt.version) };
}

/**
 * The `:id` of the route the failed request matched, if it has one: the error handler serves
 * every route of the format, and a request refused before routing has no parameters at all.
 */
function projectRefOf(params: unknown): string | undefined {
  if (typeof params !== 'object' || params === null || !('id' in params)) return undefined;
  return typeof params.id === 'string' ? params.id : undefined;
}

/**
 * A format's error handler: shapes the body in the client's convention and, for writes by an
 * authenticated caller, records publish_denied (also for refusals raised before the handler
 * ran, such as a body over the size limit).
 */
export function registerFormatErrorHandler(
  scope: Api,
  ctx: AppContext,
  format: string,
  shape: (message: string, mapped: HttpError) => unknown,
): void {
  scope.decorateRequest('packageAttempt', null);
  scope.setErrorHandler(async (error, request, reply) => {
    if (WRITE_METHODS.has(request.method)) {
      const ref = projectRefOf(request.params);
      const project = ref ? await findProject(ctx.db, ref) : undefined;
      if (project) await recordDenial(ctx, request, project, request.packageAttempt ?? { format, name: null, version: null }, error);
    }
    return sendError(request, reply, error, shape);
  });
}
