import type { FastifyInstance } from 'fastify';

// What GitLab's own API clients (python-gitlab, gitbeaker, glab, the Terraform provider) expect on
// the wire, beyond the paths and bodies (SPEC §3):
// - a JSON response says exactly `Content-Type: application/json`: python-gitlab compares the whole
//   header and treats `application/json; charset=utf-8` (Fastify's default) as not JSON at all;
// - a request that says `Content-Type: application/json` may have no body: python-gitlab's DELETE
//   sends that header with nothing after it, and so do clients that POST an action without
//   parameters. An empty body is read as no parameters, `{}`.

const FASTIFY_JSON = 'application/json; charset=utf-8';

export function registerGitLabWire(app: FastifyInstance): void {
  // Fastify's own parser, with its protection against __proto__ and constructor keys.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body.length === 0) return done(null, {});
    return parseJson(request, body as string, done);
  });

  app.addHook('onSend', async (_request, reply, payload) => {
    if (reply.getHeader('content-type') === FASTIFY_JSON) reply.header('content-type', 'application/json');
    return payload;
  });
}
