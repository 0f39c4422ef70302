import { registryCallerOf } from '../registry-auth.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../../core/errors.js';
import { acceptRawBodies } from '../../formats/format-upload.js';
import type { Api } from '../../http/api.js';
import type { AppContext } from '../../http/app-context.js';
import { markPackageClientRoutes } from '../../http/package-client-routes.js';
import { RegistryService } from '../registry-service.js';
import { continueBlobUpload, serveBlob, startBlobUpload } from './blob-routes.js';
import { listCatalog, listReferrers, listTags } from './listing-routes.js';
import { handleManifest } from './manifest-routes.js';
import { registerRegistryErrorHandler } from './registry-errors.js';
import type { RegistryEnv } from './registry-request.js';

// The OCI Distribution API v1.1 at /v2/ (docs: the OCI distribution spec). Repository names hold
// slashes, so one route takes everything under /v2/ and the path after the name says which
// endpoint it is; the router has already matched and decoded it, and every route here is a
// package-client endpoint (tokens only, never the web session cookie).

type Handler = (env: RegistryEnv, request: FastifyRequest, reply: FastifyReply, ...parts: string[]) => Promise<unknown>;

interface Endpoint {
  pattern: RegExp;
  methods: ReadonlySet<string>;
  handler: Handler;
}

const methods = (...names: string[]) => new Set(names);

// In order: an upload's own path before the blob paths, since `uploads` could otherwise be read as a digest.
const ENDPOINTS: Endpoint[] = [
  { pattern: /^(.+)\/blobs\/uploads\/?$/, methods: methods('POST'), handler: startBlobUpload },
  { pattern: /^(.+)\/blobs\/uploads\/([^/]+)$/, methods: methods('GET', 'PATCH', 'PUT', 'DELETE'), handler: continueBlobUpload },
  { pattern: /^(.+)\/blobs\/([^/]+)$/, methods: methods('GET', 'HEAD', 'DELETE'), handler: serveBlob },
  { pattern: /^(.+)\/manifests\/([^/]+)$/, methods: methods('GET', 'HEAD', 'PUT', 'DELETE'), handler: handleManifest },
  { pattern: /^(.+)\/tags\/list$/, methods: methods('GET'), handler: listTags },
  { pattern: /^(.+)\/referrers\/([^/]+)$/, methods: methods('GET'), handler: listReferrers },
];

async function dispatch(env: RegistryEnv, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const path = (request.params as { '*': string })['*'];
  if (path === '_catalog' && request.method === 'GET') return listCatalog(env, request, reply);
  for (const endpoint of ENDPOINTS) {
    const match = endpoint.pattern.exec(path);
    if (!match) continue;
    if (!endpoint.methods.has(request.method)) break;
    return endpoint.handler(env, request, reply, ...match.slice(1));
  }
  throw errors.notFound('404 Not Found');
}

/** GET /v2/: 200 to any authenticated caller, 401 with the challenge that tells a client where to get a credential. */
/**
 * `GET /v2/`: 401 with the challenge to a request without a credential, so that a client learns
 * where to get a token; 200 to any valid credential, an anonymous registry token included (as
 * distribution answers: what the token may do is asked per repository).
 */
async function versionCheck(request: FastifyRequest, reply: FastifyReply) {
  if (request.principal.kind === 'anonymous' && registryCallerOf(request).granted === null) throw errors.unauthorized();
  return reply.status(200).header('content-type', 'application/json').send({});
}

export async function registerContainerRegistryRoutes(app: Api, ctx: AppContext): Promise<void> {
  const env: RegistryEnv = { ctx, registry: new RegistryService(ctx.db, ctx.audit, ctx.integrity) };
  await app.register(async (scope: Api) => {
    markPackageClientRoutes(scope, []);
    registerRegistryErrorHandler(scope, env);
    acceptRawBodies(scope);
    scope.addHook('onSend', async (_request, reply, payload) => {
      reply.header('docker-distribution-api-version', 'registry/2.0');
      return payload;
    });
    scope.route({ method: ['GET', 'HEAD'], url: '/v2/', handler: versionCheck });
    scope.route({ method: ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE'], url: '/v2/*', handler: (request, reply) => dispatch(env, request, reply) });
  });
}
