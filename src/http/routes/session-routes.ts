import { userToApi } from '../../core/accounts/users.js';
import { errors } from '../../core/errors.js';
import { passwordSignIn, startWebSession, tokenSignIn, type SignedIn } from '../../core/sessions/sign-in.js';
import { csrfTokenFor, deleteWebSession } from '../../core/sessions/web-sessions.js';
import { personalTokenScopes } from '../../core/tokens/personal-access-tokens.js';
import type { Principal } from '../../core/tokens/principal.js';
import { Session } from '../../contracts/session.js';
import type { Api } from '../api.js';
import type { AppContext } from '../app-context.js';
import { recordAuthenticationFailure } from '../authentication-failures.js';
import { auditContextOf } from '../request-context.js';
import { bodyOf, name, text } from '../schemas.js';
import { clearSessionCookie, setSessionCookie } from '../session-cookie.js';

// Web UI sign-in: POST /api/v4/session with {login, password} or {token} (a personal access token,
// e.g. the bootstrap admin's), GET it back (user + CSRF token after a reload), DELETE to sign out.
// The sign-in itself, its throttle and its audit event are src/core/sessions/sign-in.ts.

const credentials = bodyOf({ login: name, password: text(1024), token: text(1024) });

function sessionJson(ctx: AppContext, principal: Principal, secret: string, expiresAt: string): Session {
  if (principal.kind !== 'user') throw errors.unauthorized();
  return {
    user: userToApi(principal.user, ctx.config.baseUrl, true),
    csrf_token: csrfTokenFor(secret),
    expires_at: expiresAt,
    // A token sign-in acts with the token's rights and its events name the token.
    token: principal.token ? { id: principal.token.id, name: principal.token.name, scopes: personalTokenScopes(principal.token) } : null,
  };
}

export function registerSessionRoutes(app: Api, ctx: AppContext): void {
  const secure = ctx.config.baseUrl.startsWith('https://');

  // A 401 with WWW-Authenticate: Basic makes browsers pop up their own password dialog; the web
  // UI (which says so with X-Trove-Web) shows its sign-in page instead.
  app.addHook('onSend', async (request, reply) => {
    if (request.headers['x-trove-web'] !== undefined) reply.removeHeader('www-authenticate');
  });

  const signIn = { body: credentials, response: { 201: Session } };
  app.post('/api/v4/session', { schema: signIn, config: { anonymousBody: true } }, async (request, reply) => {
    // JSON only: a cross-site HTML form cannot send it, so nobody can be signed in to someone else's account.
    if (!String(request.headers['content-type'] ?? '').startsWith('application/json')) throw errors.badRequest('Sign in with a JSON body');
    const { login, password, token } = request.body ?? {};
    // A refused attempt is recorded as authentication_failed, naming the login tried or the token's prefix.
    let signedIn: SignedIn;
    if (token !== undefined && token !== '') {
      signedIn = await tokenSignIn(ctx.db, token, (refusal) => recordAuthenticationFailure(ctx, request, refusal, { secret: token }));
    } else if (login !== undefined && password !== undefined && login !== '') {
      const attempt = { login, password, ipAddress: request.ip };
      signedIn = await passwordSignIn(ctx.db, ctx.config.signInThrottle, attempt, (refusal, tried) => recordAuthenticationFailure(ctx, request, refusal, { login: tried }));
    } else throw errors.badRequest('login and password, or token, are required');
    const session = await startWebSession(ctx.db, ctx.audit, { ...auditContextOf(request, signedIn), via: 'web' }, signedIn, ctx.config.sessionTtlMs);
    setSessionCookie(reply, session.secret, session.expiresAt, secure);
    return reply.status(201).send(sessionJson(ctx, signedIn, session.secret, session.expiresAt));
  });

  app.get('/api/v4/session', { schema: { response: { 200: Session } } }, async (request) => {
    if (!request.webSession) throw errors.unauthorized('401 Unauthorized - not signed in');
    return sessionJson(ctx, request.principal, request.webSession.secret, request.webSession.expiresAt);
  });

  app.delete('/api/v4/session', async (request, reply) => {
    if (request.webSession) await deleteWebSession(ctx.db, request.webSession.secret);
    clearSessionCookie(reply, secure);
    return reply.status(204).send();
  });
}
