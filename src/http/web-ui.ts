import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

// The web UI (web/, built by `npm run build` into dist/web) served at `/`. It is looked up next to
// this compiled file, so a build into another folder (scripts/build.sh dist-x) serves its own UI.
// Client-side routes get index.html, but only for browser navigations (Accept: text/html) outside
// /api/ and /-/, so that unknown API and package-client paths keep answering with their JSON 404s.

export const WEB_UI_DIR = fileURLToPath(new URL('../web/', import.meta.url));

// The built app has no inline scripts or styles, so the policy can forbid both.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

function isUiPath(url: string): boolean {
  return !url.startsWith('/api/') && !url.startsWith('/-/') && url !== '/api';
}

/** Serves the built UI if it exists; returns the not-found fallback for client-side routes. */
export async function registerWebUi(app: FastifyInstance, dir = WEB_UI_DIR): Promise<((request: FastifyRequest, reply: FastifyReply) => FastifyReply | null) | undefined> {
  if (!existsSync(`${dir}/index.html`)) {
    app.log.warn({ dir }, 'web UI not built (npm run build): only the API is served');
    return undefined;
  }
  app.addHook('onSend', async (request, reply) => {
    if (isUiPath(request.url)) reply.headers(SECURITY_HEADERS);
  });
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    wildcard: false, // one route per built file, so unknown paths reach the not-found handler
    index: ['index.html'],
    // Vite puts a content hash in every asset name: those never change; index.html always revalidates.
    cacheControl: false, // else send's own "public, max-age=0" replaces the header set here
    setHeaders: (res, path) => {
      res.setHeader('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  return (request, reply) => {
    const wantsHtml = String(request.headers.accept ?? '').includes('text/html');
    if ((request.method !== 'GET' && request.method !== 'HEAD') || !wantsHtml || !isUiPath(request.url)) return null;
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  };
}
