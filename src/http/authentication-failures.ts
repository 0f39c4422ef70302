import type { FastifyRequest } from 'fastify';
import { INSTANCE_SCOPE } from '../core/audit/audit-scope.js';
import type { AuthOutcome } from '../core/tokens/authenticate.js';
import { ANONYMOUS } from '../core/tokens/principal.js';
import { TOKEN_PREFIX } from '../core/tokens/token-secrets.js';
import type { AppContext } from './app-context.js';
import { auditContextOf } from './request-context.js';

/**
 * What the log may say about a refused credential: GitLab's type prefix and four characters
 * (`glpat-AbCd`), never the secret; for a password, the login it was tried for.
 */
export function credentialPrefixOf(credential: { secret: string } | { login: string }): string {
  // Lower-cased as the sign-in throttle counts it: ALICE and alice are the same guesser's target.
  if ('login' in credential) return `login:${credential.login.toLowerCase().slice(0, 57)}`;
  const secret = credential.secret;
  const type = Object.values(TOKEN_PREFIX).find((prefix) => secret.startsWith(prefix)) ?? '';
  const rest = secret.slice(type.length);
  // A short guess keeps at least half of itself out of the log.
  return type + rest.slice(0, Math.min(4, Math.floor(rest.length / 2)));
}

/** Records `authentication_failed` (instance scope) for a refused token or password; repeats are aggregated. */
export async function recordAuthenticationFailure(
  ctx: AppContext,
  request: FastifyRequest,
  outcome: Extract<AuthOutcome, { ok: false }>,
  credential: { secret: string } | { login: string },
): Promise<void> {
  const auditCtx = auditContextOf(request, ANONYMOUS);
  auditCtx.actor = { ...auditCtx.actor, user_id: outcome.userId, username: outcome.username, token_id: outcome.tokenId };
  await ctx.authenticationFailures.record({
    ctx: auditCtx,
    input: {
      eventName: 'authentication_failed',
      outcome: 'failure',
      reason: outcome.reason,
      scope: INSTANCE_SCOPE,
      target: { id: outcome.tokenId ?? outcome.userId, type: outcome.tokenType ?? 'Token', details: `${request.method} ${request.url.split('?')[0]}` },
      customMessage: `Authentication failed: ${outcome.reason}`,
      credentialPrefix: credentialPrefixOf(credential),
    },
  });
}
