import Type from 'typebox';
import { authorizeProject } from '../../core/accounts/permissions.js';
import { errors } from '../../core/errors.js';
import { findPackageInProject } from '../../core/packages/packages.js';
import { FormatPublishInstructions, FormatSummary, PackageInstallInstructions } from '../../contracts/package-formats.js';
import { formatSummary, installInstructions, publishInstructions } from '../../formats/format-instructions.js';
import { FORMATS } from '../../formats/index.js';
import type { Api } from '../api.js';
import type { AppContext } from '../app-context.js';
import { idParam, visibleProject } from '../loaders.js';
import { paramsOf } from '../schemas.js';

// The formats Trove serves and their install/publish steps, from each format's declaration
// (src/formats/<name>/<name>-format.ts): the web UI renders these for any format.

export function registerPackageFormatRoutes(app: Api, ctx: AppContext): void {
  const base = ctx.config.baseUrl;

  // The list is the same for everyone (what this instance serves), like GitLab's package_type values.
  app.get('/api/v4/package_formats', { schema: { response: { 200: Type.Array(FormatSummary) } } }, async () => FORMATS.map(formatSummary));

  const projectSchema = { params: paramsOf('id'), response: { 200: Type.Array(FormatPublishInstructions) } };
  app.get('/api/v4/projects/:id/package_formats', { schema: projectSchema }, async (request) => {
    const { project } = await visibleProject(ctx, request, request.params.id);
    await authorizeProject(ctx.db, request.principal, project, 'read', 'api');
    return publishInstructions(base, project.id);
  });

  const packageSchema = { params: paramsOf('id', 'package_id'), response: { 200: PackageInstallInstructions } };
  app.get('/api/v4/projects/:id/packages/:package_id/instructions', { schema: packageSchema }, async (request) => {
    const { project } = await visibleProject(ctx, request, request.params.id);
    await authorizeProject(ctx.db, request.principal, project, 'read', 'api');
    const pkg = await findPackageInProject(ctx.db, project.id, idParam(request.params.package_id, 'Package'));
    if (!pkg) throw errors.notFound('404 Package Not Found');
    return installInstructions(ctx.db, base, pkg);
  });
}
