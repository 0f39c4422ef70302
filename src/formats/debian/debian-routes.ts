import type { ContextConfigDefault } from 'fastify';
import type { Api } from '../../http/api.js';
import type { AppContext } from '../../http/app-context.js';
import { registerFormatErrorHandler } from '../format-errors.js';
import { acceptRawBodies, type RawUploadBody } from '../format-upload.js';
import { DEBIAN_GROUP_POOL_PARAMS, readGroupDists, readGroupPool } from './debian-group-reads.js';
import { DEBIAN_DIST_PARAMS, DEBIAN_POOL_PARAMS, readDists, readPool } from './debian-reads.js';
import { DEBIAN_UPLOAD_PARAMS, DEBIAN_UPLOAD_QUERY, uploadDebianFile } from './debian-upload.js';

/**
 * GitLab's Debian project and group API: the upload of a .deb, and apt's reads (dists/ and pool/). HEAD
 * answers come from the GET routes, without a body and without a download event.
 */
export async function registerDebianRoutes(app: Api, ctx: AppContext): Promise<void> {
  await app.register(async (scope: Api) => {
    registerFormatErrorHandler(scope, ctx, 'debian', (message) => ({ message }));
    // The body of a PUT is the .deb itself, with any Content-Type or none.
    acceptRawBodies(scope);
    const root = '/api/v4/projects/:id/packages/debian';
    const upload = { params: DEBIAN_UPLOAD_PARAMS, querystring: DEBIAN_UPLOAD_QUERY };
    scope.put<{ Body: RawUploadBody }, ContextConfigDefault, typeof upload>(`${root}/:file_name`, { schema: upload }, (request, reply) => uploadDebianFile(ctx, request, reply));
    scope.get(`${root}/dists/*`, { schema: { params: DEBIAN_DIST_PARAMS } }, (request, reply) => readDists(ctx, request, reply));
    scope.get(`${root}/pool/:distribution/:letter/:package_name/:package_version/:file_name`, { schema: { params: DEBIAN_POOL_PARAMS } }, (request, reply) => readPool(ctx, request, reply));
    // A group's apt source: its projects' packages, each under the project's id in the pool.
    const group = '/api/v4/groups/:id/-/packages/debian';
    scope.get(`${group}/dists/*`, { schema: { params: DEBIAN_DIST_PARAMS } }, (request, reply) => readGroupDists(ctx, request, reply));
    scope.get(`${group}/pool/:distribution/:project_id/:letter/:package_name/:package_version/:file_name`, { schema: { params: DEBIAN_GROUP_POOL_PARAMS } }, (request, reply) => readGroupPool(ctx, request, reply));
  });
}
