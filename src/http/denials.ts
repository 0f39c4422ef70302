import type { FastifyRequest } from 'fastify';
import type { Project } from '../core/accounts/projects.js';
import { isProtectionRefusal } from '../core/packages/protection/protection-guard.js';
import type { AppContext } from './app-context.js';
import { toHttpError } from './error-handler.js';
import { auditContextOf } from './request-context.js';

export interface AttemptDescription {
  format: string;
  name: string | null;
  version: string | null;
}

/**
 * Runs a package write; if an authenticated caller is refused (any 4xx but 401), records
 * `package_registry_package_publish_denied` before the error reaches the client (docs/architecture.md#what-is-recorded).
 * `attempt` may be filled in by `work` as it learns the package name and version.
 */
export async function auditingDenials<T>(
  ctx: AppContext,
  request: FastifyRequest,
  project: Project,
  attempt: AttemptDescription,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    await recordDenial(ctx, request, project, attempt, error);
    throw error;
  }
}

export async function recordDenial(ctx: AppContext, request: FastifyRequest, project: Project, attempt: AttemptDescription, error: unknown): Promise<void> {
  const mapped = toHttpError(error);
  if (request.principal.kind === 'anonymous' || mapped.statusCode < 400 || mapped.statusCode >= 500 || mapped.statusCode === 401) return;
  try {
    await ctx.packages.recordDenied(auditContextOf(request), project, { ...attempt, reason: mapped.message, statusCode: mapped.statusCode });
  } catch (auditError) {
    request.log.error({ err: auditError }, 'could not record publish_denied');
  }
}

/**
 * Runs a deletion of many versions at once (a project or a group): when a package protection rule
 * refuses one of them, the refusal is recorded as publish_denied on that version's project.
 */
export async function auditingProtectionRefusals<T>(ctx: AppContext, request: FastifyRequest, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isProtectionRefusal(error)) await recordDenial(ctx, request, error.project, { format: error.pkg.format, name: error.pkg.name, version: error.pkg.version }, error);
    throw error;
  }
}
