import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { errors } from '../../core/errors.js';
import { authenticateToken, type AuthOutcome } from '../../core/tokens/authenticate.js';
import { ANONYMOUS, type Principal } from '../../core/tokens/principal.js';
import { TOKEN_PREFIX } from '../../core/tokens/token-secrets.js';
import type { Api } from '../../http/api.js';
import type { AppContext } from '../../http/app-context.js';
import { recordAuthenticationFailure } from '../../http/authentication-failures.js';
import { grantedAccess } from '../registry-realm.js';
import { registryTokenKey } from '../registry-token-key.js';
import { issueRegistryToken, type RegistryCredentialRef } from '../registry-token.js';

// The Docker token realm, at GitLab's path: `GET /jwt/auth?service=container_registry&scope=...`
// with HTTP Basic (any username, a personal access, deploy or CI job token as the password) or no
// credentials at all. It answers a short-lived registry token limited to what the caller may do
// now (registry-realm.ts). Passwords are refused: GitLab takes one only from an account without
// two-factor authentication, and Trove has no second factor to ask for; a token names itself in
// every audit event, can be scoped to the registry and revoked on its own, which a password cannot.
// Issuing a token changes nothing and is not audited (as in GitLab); a refused credential is, as
// `authentication_failed`.

export const REGISTRY_SERVICE = 'container_registry';
/** The `iss` of every registry token; /v2/ accepts no other. */
export const REGISTRY_ISSUER = 'trove';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route reads its own credential (the token realm): the auth hook leaves it alone. */
    ownAuthentication?: boolean;
  }
}

const RegistryTokenResponse = Type.Object({
  token: Type.String(),
  access_token: Type.String(),
  expires_in: Type.Integer(),
  issued_at: Type.String(),
});

// GitLab's answer to a refused credential at /jwt/auth (docker prints the message).
const ACCESS_DENIED = {
  errors: [
    {
      code: 'UNAUTHORIZED',
      message:
        'HTTP Basic: Access denied. If a password was provided, Trove does not accept passwords here: use a personal access, deploy, CI job or OIDC (trusted publishing) token. If a token was provided, it was either incorrect, expired, or improperly scoped.',
    },
  ],
};

function basicCredential(request: FastifyRequest): { username: string; secret: string } | null {
  const authorization = request.headers.authorization;
  if (typeof authorization !== 'string') return null;
  const match = /^basic\s+(\S+)\s*$/i.exec(authorization.trim());
  if (match === null) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? { username: decoded, secret: '' } : { username: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

function credentialRefOf(principal: Principal): RegistryCredentialRef {
  switch (principal.kind) {
    case 'anonymous':
      return { type: 'anonymous', id: null };
    case 'user':
      // A user principal here always came from a personal access token (the realm takes no session, no password).
      return { type: 'PersonalAccessToken', id: principal.token?.id ?? null };
    case 'deploy_token':
      return { type: 'DeployToken', id: principal.token.id };
    case 'job_token':
      return { type: 'CiJobToken', id: principal.token.id };
    case 'oidc':
      return { type: 'OidcToken', id: principal.token.id };
  }
}

function subjectOf(principal: Principal): string | null {
  switch (principal.kind) {
    case 'anonymous':
      return null;
    case 'deploy_token':
      return principal.token.username;
    case 'oidc':
      return principal.token.subject;
    default:
      return principal.user.username;
  }
}

function listParameter(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** The caller's principal, or null after answering 401 (and recording the failure). */
async function authenticateRealmCaller(ctx: AppContext, request: FastifyRequest, reply: FastifyReply): Promise<Principal | null> {
  const basic = basicCredential(request);
  if (basic === null) return ANONYMOUS;
  const outcome: AuthOutcome = basic.secret === '' ? { ok: false, reason: 'no password', tokenType: null, tokenId: null, userId: null, username: null } : await authenticateToken(ctx.db, basic.secret);
  if (outcome.ok) return outcome.principal;
  // What is not shaped like a Trove token may be someone's password: log the login it was tried for, never a piece of it.
  const tokenShaped = Object.values(TOKEN_PREFIX).some((prefix) => basic.secret.startsWith(prefix));
  await recordAuthenticationFailure(ctx, request, outcome, tokenShaped ? { secret: basic.secret } : { login: basic.username });
  await reply.code(401).header('www-authenticate', 'Basic realm="GitLab"').send(ACCESS_DENIED);
  return null;
}

export function registerTokenRealmRoutes(app: Api, ctx: AppContext): void {
  app.get('/jwt/auth', { config: { ownAuthentication: true }, schema: { response: { 200: RegistryTokenResponse } } }, async (request, reply) => {
    const principal = await authenticateRealmCaller(ctx, request, reply);
    if (principal === null) return reply;
    const query = request.query as Record<string, unknown>;
    // GitLab's realm serves only its registry's service; any other is unknown here.
    if (query.service !== REGISTRY_SERVICE) throw errors.notFound();
    const access = await grantedAccess(ctx.db, principal, listParameter(query.scope));
    const lifetimeSeconds = ctx.config.registryTokenSeconds;
    const { token, claims } = issueRegistryToken(await registryTokenKey(ctx.config.registryTokenKeyFile), {
      issuer: REGISTRY_ISSUER,
      service: REGISTRY_SERVICE,
      subject: subjectOf(principal),
      credential: credentialRefOf(principal),
      access,
      lifetimeSeconds,
    });
    return { token, access_token: token, expires_in: lifetimeSeconds, issued_at: new Date(claims.iat * 1000).toISOString() };
  });
}
