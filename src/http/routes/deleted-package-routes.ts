import { errors, isTroveError } from '../../core/errors.js';
import { deletionOf } from '../../core/packages/deleted-packages.js';
import { DeletedPackage } from '../../contracts/packages.js';
import type { Api } from '../api.js';
import type { AppContext } from '../app-context.js';
import { projectView } from '../audit-views.js';
import { idParam } from '../loaders.js';
import { paramsOf } from '../schemas.js';

const schema = { params: paramsOf('id', 'package_id'), response: { 200: DeletedPackage } };

/**
 * Trove's own: what became of a package version that no longer exists, read from the audit log.
 * Only callers who may read the project's audit events get an answer (the same view rules as
 * GET /projects/:id/audit_events: developers see only deletions they made themselves); everyone
 * else gets the 404 of the package itself, or of the project, so nothing about it leaks.
 */
export function registerDeletedPackageRoutes(app: Api, ctx: AppContext): void {
  // projectView() takes a request whose params it knows: the route names their type (the schema's).
  app.get<{ Params: { id: string; package_id: string } }>('/api/v4/projects/:id/packages/:package_id/deletion', { schema }, async (request) => {
    const packageId = idParam(request.params.package_id, 'Package');
    const resolved = await projectView(ctx, request).catch((error: unknown) => {
      // A reporter may know the project, but not its audit log: to them this is the deleted package's 404.
      if (isTroveError(error) && error.code === 'FORBIDDEN') throw errors.notFound('404 Package Not Found');
      throw error;
    });
    const deleted = await deletionOf(ctx.db, resolved.view, resolved.onlyAuthorId, packageId);
    if (!deleted) throw errors.notFound('404 Package Not Found');
    return deleted;
  });
}
