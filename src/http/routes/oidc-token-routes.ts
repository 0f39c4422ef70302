import { audiencesOf, isTrustedIssuer, matchingPublishers, recordPublisherUse } from '../../core/oidc/trusted-publishers.js';
import { ExchangeRefused, exchangeIdToken, type ExchangeDeps, type ExchangeRequest } from '../../core/oidc/token-exchange.js';
import { ANONYMOUS } from '../../core/tokens/principal.js';
import { ExchangedOidcToken, OidcTokenRefusal } from '../../contracts/tokens.js';
import type { Api } from '../api.js';
import type { AppContext } from '../app-context.js';
import { auditContextOf } from '../request-context.js';

/**
 * `POST /api/v4/oidc/token` (docs/api.md#trusted-publishing-the-token-exchange): the ID token is the only
 * credential, so the route reads no other (a header a CI job sends along is ignored) and takes any
 * body: a malformed one is a refusal like the others, answered 400 and audited, not a schema error.
 */
export function registerOidcTokenRoutes(app: Api, ctx: AppContext): void {
  const deps: ExchangeDeps = {
    db: ctx.db,
    audit: ctx.audit,
    verifier: ctx.idTokenVerifier,
    failures: ctx.authenticationFailures,
    publishers: {
      isTrustedIssuer: (issuer) => isTrustedIssuer(ctx.db, issuer),
      audiencesOf: (issuer) => audiencesOf(ctx.db, issuer),
      matchingPublishers: (token, requested) => matchingPublishers(ctx.db, token, requested),
      recordUse: recordPublisherUse,
    },
  };
  const schema = { response: { 200: ExchangedOidcToken, 400: OidcTokenRefusal, 401: OidcTokenRefusal } };
  app.post('/api/v4/oidc/token', { config: { ownAuthentication: true }, schema }, async (request, reply) => {
    const body = typeof request.body === 'object' && request.body !== null ? (request.body as ExchangeRequest) : {};
    try {
      return await exchangeIdToken(deps, auditContextOf(request, ANONYMOUS), { id_token: body.id_token, project: body.project });
    } catch (error) {
      if (!(error instanceof ExchangeRefused)) throw error;
      const status = error.statusCode;
      return reply.code(status).send({ error: error.reason, message: `${status === 400 ? '400 Bad request' : '401 Unauthorized'} - ${error.message}` });
    }
  });
}
