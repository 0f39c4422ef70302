import type { ContextConfigDefault, FastifyReply } from 'fastify';
import { UploadCreated } from '../../contracts/package-clients.js';
import { PackageFile } from '../../contracts/packages.js';
import { authorizeProject } from '../../core/accounts/permissions.js';
import { errors } from '../../core/errors.js';
import { filesOf, findPackageVersion, type PackageRow } from '../../core/packages/packages.js';
import type { Api } from '../../http/api.js';
import type { AppContext } from '../../http/app-context.js';
import { registerFormatErrorHandler } from '../format-errors.js';
import { acceptRawBodies } from '../format-upload.js';
import { sendPackageFile } from '../package-file-download.js';
import { registryProject } from '../registry-project.js';
import { assertGenericFileName, assertGenericName, assertGenericVersion } from './generic-names.js';
import { GENERIC_PARAMS, GENERIC_UPLOAD_QUERY, uploadGenericFile, type GenericRequest, type GenericUploadBody } from './generic-upload.js';

// As GitLab's "installable" packages: hidden ones stay downloadable by their path.
const DOWNLOADABLE = new Set<PackageRow['status']>(['default', 'hidden']);

async function downloadGenericFile(ctx: AppContext, request: GenericRequest, reply: FastifyReply) {
  const project = await registryProject(ctx, request);
  await authorizeProject(ctx.db, request.principal, project, 'read', 'registry');
  const name = assertGenericName(request.params.package_name);
  const version = assertGenericVersion(request.params.package_version);
  const fileName = assertGenericFileName(request.params.file_name);
  const pkg = await findPackageVersion(ctx.db, project.id, 'generic', name, version);
  if (!pkg || !DOWNLOADABLE.has(pkg.status)) throw errors.notFound('404 Package Not Found');
  const file = (await filesOf(ctx.db, [pkg.id])).find((f) => f.file_name === fileName);
  if (!file) throw errors.notFound('404 Package file Not Found');
  return sendPackageFile(ctx, reply, file, { project, package: pkg }, { attachment: true });
}

/** GitLab's generic package API: PUT and GET of one file of a version. */
export async function registerGenericRoutes(app: Api, ctx: AppContext): Promise<void> {
  await app.register(async (scope: Api) => {
    registerFormatErrorHandler(scope, ctx, 'generic', (message) => ({ message }));
    // The body is the file itself, with any Content-Type or none (curl --upload-file sends
    // none; a .json or .txt file may come labelled as such).
    acceptRawBodies(scope);
    // The route's Body type names what that parser hands over (the stream, or nothing for an empty body).
    const path = '/api/v4/projects/:id/packages/generic/:package_name/:package_version/:file_name';
    const upload = { params: GENERIC_PARAMS, querystring: GENERIC_UPLOAD_QUERY, response: { 200: PackageFile, 201: UploadCreated } };
    scope.put<{ Body: GenericUploadBody }, ContextConfigDefault, typeof upload>(path, { schema: upload }, (request, reply) => uploadGenericFile(ctx, request, reply));
    scope.get(path, { schema: { params: GENERIC_PARAMS } }, (request, reply) => downloadGenericFile(ctx, request, reply));
  });
}
