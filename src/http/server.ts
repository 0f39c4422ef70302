import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { registerContainerRegistryRoutes } from '../container-registry/http/registry-routes.js';
import { FORMATS } from '../formats/index.js';
import { Health } from '../contracts/instance.js';
import { registerResponseContracts, typedApi } from './api.js';
import type { AppContext } from './app-context.js';
import { registerTokenRealmRoutes } from '../container-registry/http/token-realm-routes.js';
import { registerAuthHook } from './auth-hook.js';
import { errors } from '../core/errors.js';
import { registerErrorHandler } from './error-handler.js';
import { registerPackageClientRoutes } from './package-client-routes.js';
import { registerAccessReviewRoutes } from './routes/access-review-routes.js';
import { registerAuditEventRoutes } from './routes/audit-events-routes.js';
import { registerAuditEvidencePackRoutes } from './routes/audit-evidence-pack-routes.js';
import { registerAuditExportRoutes } from './routes/audit-export-routes.js';
import { registerAuditStreamingRoutes } from './routes/audit-streaming-routes.js';
import { registerBackgroundJobRoutes } from './routes/background-jobs-routes.js';
import { registerAuditCheckpointRoutes } from './routes/audit-checkpoint-routes.js';
import { registerAuditIntegrityRoutes } from './routes/audit-integrity-routes.js';
import { packReportFiles, registerAuditReportRoutes } from './routes/audit-report-routes.js';
import { registerAuditActivityRoutes } from './routes/audit-activity-routes.js';
import { registerCleanupPolicyRoutes } from './routes/cleanup-policy-routes.js';
import { registerLegalHoldRoutes } from './routes/legal-hold-routes.js';
import { registerProtectionRuleRoutes } from './routes/protection-rules-routes.js';
import { registerTrustedPublisherRoutes } from './routes/trusted-publishers-routes.js';
import { registerOidcTokenRoutes } from './routes/oidc-token-routes.js';
import { registerContainerTagRuleRoutes } from './routes/container-tag-rules-routes.js';
import { registerInstanceRoutes } from './routes/instance-routes.js';
import { registerDeletedPackageRoutes } from './routes/deleted-package-routes.js';
import { registerGroupRoutes } from './routes/groups-routes.js';
import { registerMemberRoutes } from './routes/members-routes.js';
import { registerNamespaceLifecycleRoutes } from './routes/namespace-lifecycle-routes.js';
import { registerPackageFormatRoutes } from './routes/package-formats-routes.js';
import { registerPackageSettingsRoutes } from './routes/package-settings-routes.js';
import { registerPackagesRoutes } from './routes/packages-routes.js';
import { registerContainerRegistryRestRoutes } from './routes/container-registry-routes.js';
import { registerProjectRoutes } from './routes/projects-routes.js';
import { registerTokenRoutes } from './routes/tokens-routes.js';
import { registerSessionRoutes } from './routes/session-routes.js';
import { registerUserRoutes } from './routes/users-routes.js';
import { registerSchemaValidation } from './schemas.js';
import { registerWebUi } from './web-ui.js';
import { registerGitLabWire } from './wire.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** GitLab's API takes form bodies too (curl -d name=acme); `scopes[]=a&scopes[]=b` becomes an array. */
function registerFormBodyParser(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    const out: Record<string, string | string[]> = {};
    for (const [rawKey, value] of new URLSearchParams(body as string)) {
      const key = rawKey.endsWith('[]') ? rawKey.slice(0, -2) : rawKey;
      // As for JSON bodies: `__proto__[]=x` would replace the body's prototype with an array.
      if (key === '__proto__') return done(errors.badRequest('Form body contains a forbidden property: __proto__'), undefined);
      if (rawKey.endsWith('[]')) {
        const list = Array.isArray(out[key]) ? (out[key] as string[]) : [];
        out[key] = [...list, value];
      } else {
        out[key] = value;
      }
    }
    done(null, out);
  });
}

/**
 * A NUL in a query parameter is refused with 400 before any route reads it: PostgreSQL text cannot
 * hold one (its filters would fail with a 500), and no name, path or filter value has one.
 */
function refuseNulInQuery(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    for (const [name, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
      const values = Array.isArray(value) ? value : [value];
      if (values.some((v) => typeof v === 'string' && v.includes('\u0000'))) throw errors.badRequest(`${name} is invalid: it contains a NUL character`);
    }
  });
}

export async function buildServer(ctx: AppContext, log: FastifyBaseLogger): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: log,
    bodyLimit: 1024 * 1024,
    // Keep an incoming X-Request-Id when it is sane, so a request can be followed through a proxy.
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    routerOptions: { maxParamLength: 1000 },
    // TROVE_TLS_CERT/KEY: HTTPS on the same port (read at start, so a change needs a restart).
    ...(ctx.config.tls ? { https: { cert: readFileSync(ctx.config.tls.certFile), key: readFileSync(ctx.config.tls.keyFile) } } : {}),
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  registerGitLabWire(app);
  registerFormBodyParser(app);
  refuseNulInQuery(app);
  registerSchemaValidation(app);
  registerResponseContracts(app, ctx.config.checkResponseContracts);
  registerErrorHandler(app, await registerWebUi(app));
  registerAuthHook(app, ctx);
  const api = typedApi(app);
  // Degraded while the audit log's integrity alarm is open (docs/architecture.md#tamper-evidence): reads go on, package writes are refused.
  api.get('/-/health', { schema: { response: { 200: Health } } }, async (): Promise<Health> => {
    const alarm = ctx.integrity.openAlarm;
    return alarm ? { status: 'degraded', instance: ctx.config.instanceName, audit_integrity_alarm: alarm } : { status: 'ok', instance: ctx.config.instanceName };
  });
  registerSessionRoutes(api, ctx);
  registerInstanceRoutes(api);
  registerUserRoutes(api, ctx);
  registerTokenRoutes(api, ctx);
  registerGroupRoutes(api, ctx);
  registerProjectRoutes(api, ctx);
  registerNamespaceLifecycleRoutes(api, ctx);
  registerMemberRoutes(api, ctx);
  registerAccessReviewRoutes(api, ctx);
  registerPackageSettingsRoutes(api, ctx);
  registerPackagesRoutes(api, ctx);
  registerContainerRegistryRestRoutes(api, ctx);
  registerPackageFormatRoutes(api, ctx);
  registerDeletedPackageRoutes(api, ctx);
  registerCleanupPolicyRoutes(api, ctx);
  registerLegalHoldRoutes(api, ctx);
  registerProtectionRuleRoutes(api, ctx);
  registerTrustedPublisherRoutes(api, ctx);
  registerOidcTokenRoutes(api, ctx);
  registerContainerTagRuleRoutes(api, ctx);
  registerAuditEventRoutes(api, ctx);
  registerAuditExportRoutes(api, ctx);
  registerAuditEvidencePackRoutes(api, ctx, (request, kind, resolved, bounds) => packReportFiles(ctx, request, kind, resolved, bounds));
  registerAuditStreamingRoutes(api, ctx);
  registerBackgroundJobRoutes(api, ctx);
  registerAuditCheckpointRoutes(api, ctx);
  registerAuditIntegrityRoutes(api, ctx);
  registerAuditReportRoutes(api, ctx);
  registerAuditActivityRoutes(api, ctx);
  for (const format of FORMATS) format.registerApi?.(api, ctx);
  for (const format of FORMATS) await registerPackageClientRoutes(api, ctx, format);
  registerTokenRealmRoutes(api, ctx);
  await registerContainerRegistryRoutes(api, ctx);
  return app;
}
