import type { FastifyInstance, FastifyRequest } from 'fastify';
import { INSTANCE_SCOPE } from '../core/audit/audit-scope.js';
import { errors } from '../core/errors.js';
import { authenticateToken } from '../core/tokens/authenticate.js';
import { ANONYMOUS } from '../core/tokens/principal.js';
import type { AppContext } from './app-context.js';
import { auditContextOf } from './request-context.js';

/** The credential in whichever header GitLab accepts it: PRIVATE-TOKEN, JOB-TOKEN, Deploy-Token, Bearer, or Basic's password. */
export function credentialOf(request: FastifyRequest): string | null {
  for (const header of ['private-token', 'job-token', 'deploy-token']) {
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
  return null;
}

/** Resolves request.principal before any route runs; a bad credential is audited and answered 401. */
export function registerAuthHook(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('principal', null as never);
  app.addHook('onRequest', async (request) => {
    request.principal = ANONYMOUS;
    const secret = credentialOf(request);
    if (secret === null) return;
    const outcome = await authenticateToken(ctx.db, secret);
    if (outcome.ok) {
      request.principal = outcome.principal;
      return;
    }
    const auditCtx = auditContextOf(request, ANONYMOUS);
    auditCtx.actor = { ...auditCtx.actor, user_id: outcome.userId, username: outcome.username, token_id: outcome.tokenId };
    await ctx.audit.recordAlone(ctx.db, auditCtx, {
      eventName: 'authentication_failed',
      outcome: 'failure',
      reason: outcome.reason,
      scope: INSTANCE_SCOPE,
      target: { id: outcome.tokenId, type: outcome.tokenType ?? 'Token', details: `${request.method} ${request.url.split('?')[0]}` },
      customMessage: `Authentication failed: ${outcome.reason}`,
    });
    throw errors.unauthorized();
  });
}
