import type { FastifyInstance } from 'fastify';
import { errors } from '../core/errors.js';

// What GitLab's own API clients (python-gitlab, gitbeaker, glab, the Terraform provider) expect on
// the wire, beyond the paths and bodies (docs/api.md#gitlab-wire-compatibility):
// - a JSON response says exactly `Content-Type: application/json`: python-gitlab compares the whole
//   header and treats `application/json; charset=utf-8` (Fastify's default) as not JSON at all;
// - a request that says `Content-Type: application/json` may have no body: python-gitlab's DELETE
//   sends that header with nothing after it, and so do clients that POST an action without
//   parameters. An empty body is read as no parameters, `{}`.
// And one rule of Trove's own: a JSON string may not hold an unpaired UTF-16 surrogate (`"\ud800"`
// is valid JSON but no Unicode text). The audit record's canonical form (RFC 8785) cannot carry
// one, so it is refused here with a 400, before any handler could store it or fail on its event.

const FASTIFY_JSON = 'application/json; charset=utf-8';

/** A \uD800-\uDFFF escape: only a body with one can hold a lone surrogate (raw ones are not valid UTF-8). */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F][0-9a-fA-F]{2}/;

// In a `u` regex a surrogate pair is one astral code point: only an unpaired half matches Cs.
const LONE_SURROGATE = /\p{Cs}/u;

/** Whether every string (and key) in a parsed JSON value is well-formed Unicode. */
function wellFormed(value: unknown): boolean {
  if (typeof value === 'string') return !LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.every(wellFormed);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).every(([key, v]) => !LONE_SURROGATE.test(key) && wellFormed(v));
  }
  return true;
}

export function registerGitLabWire(app: FastifyInstance): void {
  // Fastify's own parser, with its protection against __proto__ and constructor keys.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body.length === 0) return done(null, {});
    const text = body as string;
    if (!SURROGATE_ESCAPE.test(text)) return parseJson(request, text, done);
    return parseJson(request, text, (error, parsed) => {
      if (error) return done(error, undefined);
      if (!wellFormed(parsed)) return done(errors.badRequest('Body holds a string with an unpaired surrogate (not Unicode text)'), undefined);
      return done(null, parsed);
    });
  });

  app.addHook('onSend', async (_request, reply, payload) => {
    if (reply.getHeader('content-type') === FASTIFY_JSON) reply.header('content-type', 'application/json');
    return payload;
  });
}
