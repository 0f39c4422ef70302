import type { FastifyInstance, FastifyRequest } from 'fastify';
import { findProject } from '../core/accounts/projects.js';
import type { AppContext } from '../http/app-context.js';
import { recordDenial, type AttemptDescription } from '../http/denials.js';
import { sendError } from '../http/error-handler.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** What a format's write handler was trying to change, for the publish_denied event. */
    packageAttempt: AttemptDescription | null;
  }
}

const WRITE_METHODS = new Set(['PUT', 'POST', 'DELETE', 'PATCH']);

/** Notes what the request tries to change, so a refusal is audited with the package name and version. */
export function noteAttempt(request: FastifyRequest, attempt: AttemptDescription): void {
  request.packageAttempt = attempt;
}

/**
 * A format's error handler: shapes the body in the client's convention and, for writes by an
 * authenticated caller, records publish_denied (also for refusals raised before the handler
 * ran, such as a body over the size limit).
 */
export function registerFormatErrorHandler(
  scope: FastifyInstance,
  ctx: AppContext,
  format: string,
  shape: (message: string) => unknown,
): void {
  scope.decorateRequest('packageAttempt', null);
  scope.setErrorHandler(async (error, request, reply) => {
    if (WRITE_METHODS.has(request.method)) {
      const ref = (request.params as { id?: string } | undefined)?.id;
      const project = ref ? await findProject(ctx.db, ref) : undefined;
      if (project) await recordDenial(ctx, request, project, request.packageAttempt ?? { format, name: null, version: null }, error);
    }
    return sendError(request, reply, error, shape);
  });
}
