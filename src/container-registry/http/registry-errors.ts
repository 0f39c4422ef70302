import type { FastifyReply, FastifyRequest } from 'fastify';
import { isTroveError } from '../../core/errors.js';
import { toHttpError } from '../../http/error-handler.js';
import { auditContextOf } from '../../http/request-context.js';
import type { Api } from '../../http/api.js';
import { isOciErrorCode, type OciErrorCode } from '../oci-errors.js';
import { registryChallenge } from '../registry-auth.js';
import type { RegistryEnv } from './registry-request.js';

// Every /v2/ error in the OCI shape, {"errors":[{"code","message","detail"}]}: OCI errors as
// thrown, Trove's own mapped by status. A 401 carries the registry's challenge for the scope the
// request needed, and a refused push or delete by an authenticated caller is audited
// (container_registry_push_denied) before the answer goes out.

const CODE_OF_STATUS: Record<number, OciErrorCode> = {
  401: 'UNAUTHORIZED',
  403: 'DENIED',
  404: 'NAME_UNKNOWN',
  413: 'SIZE_INVALID',
  416: 'RANGE_INVALID',
  429: 'TOOMANYREQUESTS',
};

function codeOf(error: unknown, status: number): string {
  if (isTroveError(error) && isOciErrorCode(error.code)) return error.code;
  return CODE_OF_STATUS[status] ?? 'UNSUPPORTED';
}

function challengeScope(request: FastifyRequest): string | null {
  const target = request.registryTarget;
  if (!target) return null;
  return `repository:${target.name}:${target.action === 'pull' ? 'pull' : target.action === 'push' ? 'pull,push' : '*'}`;
}

async function auditRefusal(env: RegistryEnv, request: FastifyRequest, status: number, message: string): Promise<void> {
  const target = request.registryTarget;
  if (!target?.location || target.action === 'pull' || request.principal.kind === 'anonymous' || status < 400 || status >= 500) return;
  try {
    await env.registry.recordDenied(auditContextOf(request), target.location, { target: target.what, reason: message, statusCode: status });
  } catch (auditError) {
    request.log.error({ err: auditError }, 'could not record container_registry_push_denied');
  }
}

export function sendRegistryError(env: RegistryEnv, request: FastifyRequest, reply: FastifyReply, error: unknown, status: number, message: string, code: string) {
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ status, reason: message }, 'request refused');
  if (status === 401) reply.header('www-authenticate', registryChallenge(env.ctx.config.baseUrl, challengeScope(request)));
  return reply.status(status).header('content-type', 'application/json').send({ errors: [{ code, message, detail: null }] });
}

/**
 * A credential or registry token that lacks the action: 401 with the challenge naming the scope
 * and `error="insufficient_scope"`, as the Docker token protocol answers it (a client may ask the
 * realm again), with distribution's words, which skopeo prints ("denied: requested access to the
 * resource is denied"). Trove's reason goes into `detail`.
 */
function sendInsufficientScope(env: RegistryEnv, request: FastifyRequest, reply: FastifyReply, reason: string) {
  request.log.info({ status: 401, reason }, 'request refused');
  reply.header('www-authenticate', registryChallenge(env.ctx.config.baseUrl, challengeScope(request), true));
  return reply.status(401).header('content-type', 'application/json').send({ errors: [{ code: 'DENIED', message: 'requested access to the resource is denied', detail: reason }] });
}

export function registerRegistryErrorHandler(scope: Api, env: RegistryEnv): void {
  scope.decorateRequest('registryTarget', null);
  scope.setErrorHandler(async (error, request, reply) => {
    const mapped = toHttpError(error);
    await auditRefusal(env, request, mapped.statusCode, mapped.message);
    if (isTroveError(error) && error.code === 'INSUFFICIENT_SCOPE') return sendInsufficientScope(env, request, reply, mapped.message);
    for (const [name, value] of Object.entries(mapped.headers)) if (name !== 'www-authenticate') reply.header(name, value);
    return sendRegistryError(env, request, reply, error, mapped.statusCode, mapped.message, codeOf(error, mapped.statusCode));
  });
}
