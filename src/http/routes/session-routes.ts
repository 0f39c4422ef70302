import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { verifyPassword } from '../../core/accounts/passwords.js';
import { userToApi, type User } from '../../core/accounts/users.js';
import { userScope } from '../../core/audit/audit-scope.js';
import { errors } from '../../core/errors.js';
import { clearSignInFailures, recordSignInFailure, signInRetryAfter } from '../../core/sessions/sign-in-throttle.js';
import { createWebSession, csrfTokenFor, deleteWebSession } from '../../core/sessions/web-sessions.js';
import { authenticateToken } from '../../core/tokens/authenticate.js';
import type { PersonalAccessToken, Principal } from '../../core/tokens/principal.js';
import type { Tx } from '../../storage/db/database.js';
import type { AppContext } from '../app-context.js';
import { recordAuthenticationFailure } from '../authentication-failures.js';
import { auditContextOf } from '../request-context.js';
import { bodyOf, name, text } from '../schemas.js';
import { clearSessionCookie, setSessionCookie } from '../session-cookie.js';

// Web UI sign-in: POST /api/v4/session with {login, password} or {token} (a personal access token,
// e.g. the bootstrap admin's), GET it back (user + CSRF token after a reload), DELETE to sign out.
// Password guessing is throttled per login and IP address (src/core/sessions/sign-in-throttle.ts).

// Verified when the login is unknown, so that the answer takes as long as for a wrong password.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

function sessionJson(ctx: AppContext, principal: Principal, secret: string, expiresAt: string) {
  if (principal.kind !== 'user') throw errors.unauthorized();
  return {
    user: userToApi(principal.user, ctx.config.baseUrl, true),
    csrf_token: csrfTokenFor(secret),
    expires_at: expiresAt,
    // A token sign-in acts with the token's rights and its events name the token.
    token: principal.token ? { id: principal.token.id, name: principal.token.name, scopes: principal.scopes } : null,
  };
}

async function passwordSignIn(ctx: AppContext, request: FastifyRequest, login: string, password: string): Promise<User> {
  const user = await ctx.db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb.or([eb('username', '=', login), eb('email', '=', login)]))
    .executeTakeFirst();
  const limits = ctx.config.signInThrottle;
  // A known user is one key whether the guesser types the username or the email.
  const key = { login: user?.username ?? login, ipAddress: request.ip };
  const failure = (reason: string) =>
    recordAuthenticationFailure(ctx, request, { ok: false, reason, tokenType: 'Password', tokenId: null, userId: user?.id ?? null, username: user?.username ?? login.slice(0, 255) }, { login: user?.username ?? login });
  // Checked before the password: while throttled, even the right password does not get through.
  const retryAfter = await signInRetryAfter(ctx.db, limits, key);
  if (retryAfter !== null) {
    await failure('too many failed sign-ins');
    throw errors.tooManyRequests(retryAfter, `429 Too Many Requests - too many failed sign-ins, try again in ${Math.ceil(retryAfter / 60)} min`);
  }
  const matches = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
  const reason = !user ? 'unknown login' : !matches ? 'wrong password' : user.state !== 'active' ? 'user blocked' : null;
  if (reason === null) {
    await clearSignInFailures(ctx.db, key);
    return user!;
  }
  await recordSignInFailure(ctx.db, limits, key);
  await failure(reason);
  throw errors.unauthorized('401 Unauthorized - invalid login or password');
}

async function tokenSignIn(ctx: AppContext, request: FastifyRequest, token: string): Promise<{ user: User; token: PersonalAccessToken }> {
  const outcome = await authenticateToken(ctx.db, token);
  if (!outcome.ok) {
    await recordAuthenticationFailure(ctx, request, outcome, { secret: token });
    throw errors.unauthorized('401 Unauthorized - invalid token');
  }
  // Deploy and job tokens cannot use the REST API, so they cannot open a UI session either.
  if (outcome.principal.kind !== 'user' || outcome.principal.token === null) throw errors.unauthorized('401 Unauthorized - only personal access tokens can sign in');
  return { user: outcome.principal.user, token: outcome.principal.token };
}

/** user_signed_in (SPEC 4.1), stored on the user, in the transaction that starts the session. */
async function recordSignIn(ctx: AppContext, tx: Tx, request: FastifyRequest, principal: Extract<Principal, { kind: 'user' }>): Promise<void> {
  const { user, token } = principal;
  await ctx.audit.record(tx, { ...auditContextOf(request, principal), via: 'web' }, {
    eventName: 'user_signed_in',
    scope: userScope(user),
    target: { id: user.id, type: 'User', details: user.username },
    customMessage: token ? `Signed in to the web UI with personal access token "${token.name}"` : 'Signed in to the web UI with a password',
  });
}

export function registerSessionRoutes(app: FastifyInstance, ctx: AppContext): void {
  const secure = ctx.config.baseUrl.startsWith('https://');

  // A 401 with WWW-Authenticate: Basic makes browsers pop up their own password dialog; the web
  // UI (which says so with X-Trove-Web) shows its sign-in page instead.
  app.addHook('onSend', async (request, reply) => {
    if (request.headers['x-trove-web'] !== undefined) reply.removeHeader('www-authenticate');
  });

  app.post('/api/v4/session', { schema: { body: bodyOf({ login: name, password: text(1024), token: text(1024) }) }, config: { anonymousBody: true } }, async (request, reply: FastifyReply) => {
    // JSON only: a cross-site HTML form cannot send it, so nobody can be signed in to someone else's account.
    if (!String(request.headers['content-type'] ?? '').startsWith('application/json')) throw errors.badRequest('Sign in with a JSON body');
    const body = (request.body ?? {}) as Record<string, unknown>;
    const signedIn =
      typeof body.token === 'string' && body.token !== ''
        ? await tokenSignIn(ctx, request, body.token)
        : typeof body.login === 'string' && typeof body.password === 'string' && body.login !== ''
          ? { user: await passwordSignIn(ctx, request, body.login, body.password), token: null }
          : null;
    if (signedIn === null) throw errors.badRequest('login and password, or token, are required');
    const principal: Extract<Principal, { kind: 'user' }> = { kind: 'user', user: signedIn.user, token: signedIn.token, scopes: signedIn.token ? (JSON.parse(signedIn.token.scopes) as string[]) : [] };
    const session = await ctx.db.transaction().execute(async (tx) => {
      const started = await createWebSession(tx, signedIn.user, signedIn.token, ctx.config.sessionTtlMs);
      await recordSignIn(ctx, tx, request, principal);
      return started;
    });
    setSessionCookie(reply, session.secret, session.expiresAt, secure);
    return reply.status(201).send(sessionJson(ctx, principal, session.secret, session.expiresAt));
  });

  app.get('/api/v4/session', async (request) => {
    if (!request.webSession) throw errors.unauthorized('401 Unauthorized - not signed in');
    return sessionJson(ctx, request.principal, request.webSession.secret, request.webSession.expiresAt);
  });

  app.delete('/api/v4/session', async (request, reply) => {
    if (request.webSession) await deleteWebSession(ctx.db, request.webSession.secret);
    clearSessionCookie(reply, secure);
    return reply.status(204).send();
  });
}
