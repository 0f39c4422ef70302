import type { FastifyRequest } from 'fastify';
import { TroveError } from '../../core/errors.js';
import { authenticateTokenById, type AuthOutcome, type TokenType } from '../../core/tokens/authenticate.js';
import { ANONYMOUS, type Principal } from '../../core/tokens/principal.js';
import type { AppContext } from '../../http/app-context.js';
import { recordAuthenticationFailure } from '../../http/authentication-failures.js';
import { registryChallenge, type RegistryAccess } from '../registry-auth.js';
import { registryTokenKey } from '../registry-token-key.js';
import { verifyRegistryToken } from '../registry-token.js';
import { REGISTRY_ISSUER, REGISTRY_SERVICE } from './token-realm-routes.js';

// A registry token (from /jwt/auth) presented as `Authorization: Bearer` on /v2/. It stands for the
// credential it was issued for, which is looked up again here: a token revoked or a user blocked
// after the registry token was issued ends it at once. What the token grants is kept on the request
// for authorizeRegistry, which also asks whether the caller may still do it.

/** Whether the request is for the registry API, whose 401s carry the Bearer challenge. */
export function isRegistryApiPath(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0];
  return path === '/v2' || path.startsWith('/v2/');
}

/** The 401 a refused credential gets on /v2/: the challenge tells the client where to get a token. */
export function registryUnauthorized(ctx: AppContext): TroveError {
  return new TroveError('UNAUTHORIZED', 401, 'authentication required', { 'www-authenticate': registryChallenge(ctx.config.baseUrl, null) });
}

const TOKEN_TYPES: readonly string[] = ['PersonalAccessToken', 'DeployToken', 'CiJobToken', 'OidcToken'] satisfies TokenType[];

type Refusal = Extract<AuthOutcome, { ok: false }>;

const refusal = (reason: string): Refusal => ({ ok: false, reason, tokenType: 'RegistryToken', tokenId: null, userId: null, username: null });

async function resolveToken(ctx: AppContext, token: string): Promise<Refusal | { ok: true; principal: Principal; access: RegistryAccess[] }> {
  const check = verifyRegistryToken(await registryTokenKey(ctx.config.registryTokenKeyFile), token, { issuer: REGISTRY_ISSUER, service: REGISTRY_SERVICE });
  if (!check.ok) return refusal(check.reason);
  const { credential, access } = check.claims;
  if (credential.type === 'anonymous') return { ok: true, principal: ANONYMOUS, access };
  if (!TOKEN_TYPES.includes(credential.type) || typeof credential.id !== 'number') return refusal('registry token malformed');
  const outcome = await authenticateTokenById(ctx.db, credential.type, credential.id);
  return outcome.ok ? { ok: true, principal: outcome.principal, access } : outcome;
}

/** Authenticates a registry token, or records the failure and throws the 401 with the challenge. */
export async function authenticateRegistryBearer(ctx: AppContext, request: FastifyRequest, token: string): Promise<void> {
  const resolved = await resolveToken(ctx, token);
  if (!resolved.ok) {
    await recordAuthenticationFailure(ctx, request, resolved, { secret: token });
    throw registryUnauthorized(ctx);
  }
  request.principal = resolved.principal;
  request.registryGranted = resolved.access;
}
