import type { FastifyInstance } from 'fastify';
import { requireAdmin, requireApiUser } from '../../core/accounts/permissions.js';
import type { AppContext } from '../app-context.js';
import { auditContextOf } from '../request-context.js';
import { bodyOf } from '../schemas.js';

/**
 * The audit log's integrity alarm (SPEC 4.8): administrators read it and acknowledge it. The
 * acknowledgement is itself an audit event (`audit_integrity_alarm_acknowledged`) and lets
 * package writes resume; later self-checks start from the checkpoint that was the latest then.
 */
export function registerAuditIntegrityRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/api/v4/audit_events/integrity_alarm', async (request) => {
    requireAdmin(request.principal);
    await ctx.integrity.refresh();
    return { alarm: ctx.integrity.openAlarm };
  });

  // Takes no fields (a body, if any, is an object).
  app.post('/api/v4/audit_events/integrity_alarm/acknowledge', { schema: { body: bodyOf({}) } }, async (request, reply) => {
    requireAdmin(request.principal);
    const user = requireApiUser(request.principal, true).user;
    await ctx.integrity.refresh();
    const acknowledged = await ctx.integrity.acknowledge(auditContextOf(request), user.id);
    if (acknowledged.length === 0) return reply.status(404).send({ message: '404 No open audit integrity alarm' });
    return { acknowledged };
  });
}
