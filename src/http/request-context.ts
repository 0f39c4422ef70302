import type { FastifyRequest } from 'fastify';
import type { ActorSnapshot, AuditContext } from '../core/audit/audit-types.js';
import { parseClient, viaFor } from '../core/audit/user-agent.js';
import { oidcActorOf, pipelineOfOidc } from '../core/oidc/oidc-tokens.js';
import { pipelineOf } from '../core/tokens/job-tokens.js';
import { ANONYMOUS, type Principal } from '../core/tokens/principal.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
    /** Set when a web UI session cookie authenticated the request (src/http/auth-hook.ts). */
    webSession: { secret: string; expiresAt: string } | null;
  }
}

export function actorOf(principal: Principal): ActorSnapshot {
  switch (principal.kind) {
    case 'anonymous':
      return { type: 'anonymous', user_id: null, username: null, token_id: null, token_name: null, token_owner_path: null };
    case 'user':
      return principal.token
        ? {
            type: 'personal_access_token',
            user_id: principal.user.id,
            username: principal.user.username,
            token_id: principal.token.id,
            token_name: principal.token.name,
            token_owner_path: principal.user.username,
          }
        : { type: 'user', user_id: principal.user.id, username: principal.user.username, token_id: null, token_name: null, token_owner_path: null };
    case 'deploy_token':
      return {
        type: 'deploy_token',
        user_id: null,
        username: principal.token.username,
        token_id: principal.token.id,
        token_name: principal.token.name,
        token_owner_path: principal.ownerPath,
      };
    case 'job_token':
      return {
        type: 'job_token',
        user_id: principal.user.id,
        username: principal.user.username,
        token_id: principal.token.id,
        token_name: `CI job ${principal.token.job_id}`,
        token_owner_path: principal.projectPath,
      };
    case 'oidc':
      return oidcActorOf(principal.token, principal.projectPath);
  }
}

function pipelineOfPrincipal(principal: Principal) {
  if (principal.kind === 'job_token') return pipelineOf(principal.token, principal.projectPath);
  if (principal.kind === 'oidc') return pipelineOfOidc(principal.token);
  return null;
}

/** Who and how, for the audit events this request records. */
export function auditContextOf(request: FastifyRequest, principal: Principal = request.principal ?? ANONYMOUS): AuditContext {
  const userAgent = typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'].slice(0, 512) : null;
  const client = parseClient(userAgent);
  return {
    actor: actorOf(principal),
    via: viaFor({ jobToken: principal.kind === 'job_token' || principal.kind === 'oidc', webSession: request.webSession != null, userAgent, client }),
    client,
    userAgent,
    ipAddress: request.ip ?? null,
    requestId: String(request.id),
    pipeline: pipelineOfPrincipal(principal),
  };
}
