import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errors } from '../core/errors.js';
import { csrfTokenMatches, principalOfSession } from '../core/sessions/web-sessions.js';
import { authenticateToken } from '../core/tokens/authenticate.js';
import { ANONYMOUS } from '../core/tokens/principal.js';
import { authenticateRegistryBearer, isRegistryApiPath, registryUnauthorized } from '../container-registry/http/registry-bearer.js';
import { looksLikeJwt } from '../container-registry/registry-token.js';
import type { AppContext } from './app-context.js';
import { recordAuthenticationFailure } from './authentication-failures.js';
import { routeCredentialHeaders } from './package-client-routes.js';
import { cookieAuthAllowed, sessionSecretOf } from './session-cookie.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const GITLAB_TOKEN_HEADERS = ['private-token', 'job-token', 'deploy-token'];

/**
 * The credential in whichever header GitLab accepts it: PRIVATE-TOKEN, JOB-TOKEN, Deploy-Token,
 * Bearer, or Basic's password; then the headers the matched route's format declares (NuGet's
 * X-NuGet-ApiKey), which no other route reads. A format that declares `authorization` takes the
 * token bare in that header, with no scheme (`gem push` sends `Authorization: <key>`), on its own
 * routes only; Bearer and Basic keep their meaning there.
 */
export function credentialOf(request: FastifyRequest): string | null {
  const formatHeaders = routeCredentialHeaders(request);
  for (const header of [...GITLAB_TOKEN_HEADERS, ...formatHeaders.filter((h) => h !== 'authorization')]) {
    const value = request.headers[header];
    if (typeof value === 'string' && value !== '') return value.trim();
  }
  const authorization = request.headers.authorization;
  if (typeof authorization !== 'string') return null;
  const [scheme, ...rest] = authorization.trim().split(/\s+/);
  const value = rest.join(' ');
  if (/^bearer$/i.test(scheme) && value) return value;
  if (/^basic$/i.test(scheme) && value) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const password = colon >= 0 ? decoded.slice(colon + 1) : '';
    return password === '' ? null : password;
  }
  if (rest.length === 0 && scheme !== '' && formatHeaders.includes('authorization')) return scheme;
  return null;
}

/**
 * A web UI session cookie, when no token header is present and the path is REST API. An unknown
 * or expired session is simply anonymous (the UI then asks to sign in). Cookie-authenticated
 * writes must carry the session's CSRF token in X-CSRF-Token: a cross-site form cannot.
 */
async function authenticateSession(ctx: AppContext, request: FastifyRequest): Promise<void> {
  const secret = sessionSecretOf(request);
  if (secret === null || !cookieAuthAllowed(request)) return;
  const session = await principalOfSession(ctx.db, secret);
  if (session === null) return;
  if (!SAFE_METHODS.has(request.method)) {
    const presented = request.headers['x-csrf-token'];
    if (typeof presented !== 'string' || !csrfTokenMatches(secret, presented)) throw errors.forbidden('403 Forbidden - CSRF token missing or invalid');
  }
  request.principal = session.principal;
  request.webSession = { secret, expiresAt: session.expiresAt };
}

/**
 * Resolves request.principal before the handler runs; a bad credential is audited and answered 401.
 * onRequest runs after routing (Fastify 5), so the matched route's config is known here.
 */
export function registerAuthHook(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('principal', null as never);
  app.decorateRequest('webSession', null);
  app.decorateRequest('registryGranted', null);
  app.addHook('onRequest', async (request) => {
    request.principal = ANONYMOUS;
    request.webSession = null;
    request.registryGranted = null;
    if (request.routeOptions.config.ownAuthentication === true) return;
    const registryApi = isRegistryApiPath(request);
    const secret = credentialOf(request);
    if (secret === null) return authenticateSession(ctx, request);
    // On /v2/, a Bearer JWT is a registry token from /jwt/auth, not a Trove token.
    if (registryApi && looksLikeJwt(secret)) return authenticateRegistryBearer(ctx, request, secret);
    const outcome = await authenticateToken(ctx.db, secret);
    if (outcome.ok) {
      request.principal = outcome.principal;
      return;
    }
    await recordAuthenticationFailure(ctx, request, outcome, { secret });
    throw registryApi ? registryUnauthorized(ctx) : errors.unauthorized();
  });
}
