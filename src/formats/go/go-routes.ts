import type { ContextConfigDefault } from 'fastify';
import { UploadCreated } from '../../contracts/package-clients.js';
import type { Api } from '../../http/api.js';
import type { AppContext } from '../../http/app-context.js';
import { registerFormatErrorHandler } from '../format-errors.js';
import { acceptRawBodies, type RawUploadBody } from '../format-upload.js';
import { readGo } from './go-reads.js';
import { GO_PARAMS, uploadGoFile } from './go-upload.js';

/**
 * GitLab's Go proxy under a project (GET: GOPROXY's list, info, mod, zip and @latest; HEAD from
 * the GET route), and Trove's upload of a version's three files (PUT to the same URLs).
 */
export async function registerGoRoutes(app: Api, ctx: AppContext): Promise<void> {
  await app.register(async (scope: Api) => {
    // go prints a refusal's body after the status: the message alone reads best.
    registerFormatErrorHandler(scope, ctx, 'go', (message) => ({ message }));
    // The body of a PUT is the file itself, with any Content-Type or none.
    acceptRawBodies(scope);
    const path = '/api/v4/projects/:id/packages/go/*';
    const upload = { params: GO_PARAMS, response: { 201: UploadCreated } };
    scope.put<{ Body: RawUploadBody }, ContextConfigDefault, typeof upload>(path, { schema: upload }, (request, reply) => uploadGoFile(ctx, request, reply));
    scope.get(path, { schema: { params: GO_PARAMS } }, (request, reply) => readGo(ctx, request, reply));
  });
}
