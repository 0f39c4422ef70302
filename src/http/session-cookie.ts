import type { FastifyReply, FastifyRequest } from 'fastify';
import { isPackageClientRoute } from './package-client-routes.js';

// The web UI's session cookie: HttpOnly, SameSite=Strict, Secure behind https, limited to the
// REST API. Package-client endpoints (npm, PyPI, generic, ...) never accept it: they are opened
// with tokens only, as in GitLab, so a browser session cannot be turned into a publish.

export const SESSION_COOKIE = 'trove_session';
const COOKIE_PATH = '/api/v4';

/**
 * Whether a session cookie may authenticate this request: decided on the route it matched (REST
 * API routes only), never on the raw URL, which a client may percent-encode.
 */
export function cookieAuthAllowed(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  return route !== undefined && route.startsWith(`${COOKIE_PATH}/`) && !isPackageClientRoute(request);
}

export function sessionSecretOf(request: FastifyRequest): string | null {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

export function setSessionCookie(reply: FastifyReply, secret: string, expiresAt: string, secure: boolean): void {
  const maxAge = Math.max(0, Math.floor((Date.parse(expiresAt) - Date.now()) / 1000));
  reply.header('set-cookie', `${SESSION_COOKIE}=${secret}; Path=${COOKIE_PATH}; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`);
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  reply.header('set-cookie', `${SESSION_COOKIE}=; Path=${COOKIE_PATH}; Max-Age=0; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`);
}
