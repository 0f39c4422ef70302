import type { FastifyRequest } from 'fastify';
import type { Project } from '../core/accounts/projects.js';
import { isPackageWriteRefusal } from '../core/packages/write-refusal.js';
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
 * or a legal hold refuses it, the refusal is recorded as publish_denied on the refused project.
 */
export async function auditingBulkDeleteRefusals<T>(ctx: AppContext, request: FastifyRequest, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isPackageWriteRefusal(error)) {
      const attempt = { format: error.pkg?.format ?? 'package', name: error.pkg?.name ?? null, version: error.pkg?.version ?? null };
      await recordDenial(ctx, request, error.project, attempt, error);
    }
    throw error;
  }
}
