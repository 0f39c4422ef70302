import type { FastifyInstance, FastifyRequest } from 'fastify';
import { filteredEvents, toRecord } from '../../core/audit/audit-query.js';
import { errors, isTroveError } from '../../core/errors.js';
import { downloadedPackageId as recordPackageId } from '../../storage/db/migrations/006-download-events-index.js';
import type { AppContext } from '../app-context.js';
import { projectView } from '../audit-views.js';
import { idParam } from '../loaders.js';

const DELETED = 'package_registry_package_deleted';
// record.package.id, the same expression the download counts use (the event names the version by id).

/**
 * Trove's own: what became of a package version that no longer exists, read from the audit log.
 * Only callers who may read the project's audit events get an answer (the same view rules as
 * GET /projects/:id/audit_events: developers see only deletions they made themselves); everyone
 * else gets the 404 of the package itself, or of the project, so nothing about it leaks.
 */
export function registerDeletedPackageRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Params: { id: string; package_id: string } }>('/api/v4/projects/:id/packages/:package_id/deletion', async (request) => {
    const packageId = idParam(request.params.package_id, 'Package');
    const resolved = await projectView(ctx, request as FastifyRequest<{ Params: { id: string } }>).catch((error: unknown) => {
      // A reporter may know the project, but not its audit log: to them this is the deleted package's 404.
      if (isTroveError(error) && error.code === 'FORBIDDEN') throw errors.notFound('404 Package Not Found');
      throw error;
    });
    const row = await filteredEvents(ctx.db, resolved.view, { eventNames: [DELETED], onlyAuthorId: resolved.onlyAuthorId })
      .where(recordPackageId(ctx.db), '=', packageId)
      .select(['record', 'leaf_hash'])
      .orderBy('id', 'desc')
      .executeTakeFirst();
    if (!row) throw errors.notFound('404 Package Not Found');
    const event = toRecord(row);
    const pkg = event.package!;
    return {
      id: pkg.id,
      name: pkg.name,
      version: pkg.version,
      package_type: pkg.format,
      project_id: event.project?.id ?? null,
      project_path: event.project?.full_path ?? null,
      deleted_at: event.created_at,
      deleted_by: { actor: event.actor, via: event.via, client: event.client, pipeline: event.pipeline, at: event.created_at },
      reason: event.reason,
      custom_message: event.details.custom_message,
      files: pkg.files,
      audit_event_id: event.id,
    };
  });
}
