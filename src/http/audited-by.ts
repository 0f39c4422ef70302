import type { FastifyRequest } from 'fastify';
import type { AuditedBy } from '../core/audit/audit-log.js';
import type { AppContext } from './app-context.js';
import { auditContextOf } from './request-context.js';

/** The audit log and this request's who-and-how, for the account services that record their changes. */
export function auditedBy(ctx: AppContext, request: FastifyRequest): AuditedBy {
  return { audit: ctx.audit, ctx: auditContextOf(request) };
}
