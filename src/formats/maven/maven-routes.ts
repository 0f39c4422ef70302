import type { ContextConfigDefault } from 'fastify';
import type { Api } from '../../http/api.js';
import type { AppContext } from '../../http/app-context.js';
import { registerFormatErrorHandler } from '../format-errors.js';
import { acceptRawBodies, type RawUploadBody } from '../format-upload.js';
import { MAVEN_INSTANCE_PARAMS, MAVEN_PARAMS, readFromGroup, readFromInstance, readFromProject } from './maven-reads.js';
import { uploadMavenFile } from './maven-upload.js';

/** mvn prints an error response's reason phrase ("status code: 400, reason phrase: ..."): make it say why. */
function reasonPhrase(payload: unknown): string | undefined {
  if (typeof payload !== 'string') return undefined;
  try {
    const message = (JSON.parse(payload) as { message?: unknown }).message;
    return typeof message === 'string' ? message.replace(/[^\x20-\x7e]/g, '?').slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * GitLab's Maven repository API: PUT/GET/HEAD of files under a project, GET/HEAD under a group and
 * the instance. HEAD answers come from the GET routes (Fastify exposes them), without a body and
 * without a download event.
 */
export async function registerMavenRoutes(app: Api, ctx: AppContext): Promise<void> {
  await app.register(async (scope: Api) => {
    registerFormatErrorHandler(scope, ctx, 'maven', (message) => ({ message }));
    scope.addHook('onSend', async (_request, reply, payload) => {
      const reason = reply.statusCode >= 400 ? reasonPhrase(payload) : undefined;
      if (reason) reply.raw.statusMessage = reason;
      return payload;
    });
    // The body of a PUT is the file itself, with any Content-Type or none.
    acceptRawBodies(scope);
    const project = '/api/v4/projects/:id/packages/maven/*';
    const upload = { params: MAVEN_PARAMS };
    scope.put<{ Body: RawUploadBody }, ContextConfigDefault, typeof upload>(project, { schema: upload }, (request, reply) => uploadMavenFile(ctx, request, reply));
    scope.get(project, { schema: { params: MAVEN_PARAMS } }, (request, reply) => readFromProject(ctx, request, reply));
    scope.get('/api/v4/groups/:id/-/packages/maven/*', { schema: { params: MAVEN_PARAMS } }, (request, reply) => readFromGroup(ctx, request, reply));
    scope.get('/api/v4/packages/maven/*', { schema: { params: MAVEN_INSTANCE_PARAMS } }, (request, reply) => readFromInstance(ctx, request, reply));
  });
}
