import type { FastifyReply, FastifyRequest } from 'fastify';
import { FORMATS } from '../formats/index.js';

// The web UI's session cookie: HttpOnly, SameSite=Strict, Secure behind https, limited to the
// REST API. Package-client endpoints (npm, PyPI, generic, ...) never accept it: they are opened
// with tokens only, as in GitLab, so a browser session cannot be turned into a publish.

export const SESSION_COOKIE = 'trove_session';
const COOKIE_PATH = '/api/v4';

const PACKAGE_CLIENT_PATH = new RegExp(`^/api/v4/(projects|groups)/[^/]+/(-/)?packages/(${FORMATS.map((f) => f.name).join('|')})(/|$)`);

/** Whether a session cookie may authenticate this request (REST API only). */
export function cookieAuthAllowed(url: string): boolean {
  return url.startsWith(`${COOKIE_PATH}/`) && !PACKAGE_CLIENT_PATH.test(url.split('?')[0]);
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
