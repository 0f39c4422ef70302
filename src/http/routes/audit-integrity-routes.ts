import { requireAdmin, requireApiUser } from '../../core/accounts/permissions.js';
import { errors } from '../../core/errors.js';
import { AcknowledgedAlarms, IntegrityAlarmState } from '../../contracts/audit-checkpoints.js';
import type { Api } from '../api.js';
import type { AppContext } from '../app-context.js';
import { auditContextOf } from '../request-context.js';
import { bodyOf } from '../schemas.js';

/**
 * The audit log's integrity alarm (docs/architecture.md#tamper-evidence): administrators read it and acknowledge it. The
 * acknowledgement is itself an audit event (`audit_integrity_alarm_acknowledged`) and lets
 * package writes resume; later self-checks start from the checkpoint that was the latest then.
 */
export function registerAuditIntegrityRoutes(app: Api, ctx: AppContext): void {
  app.get('/api/v4/audit_events/integrity_alarm', { schema: { response: { 200: IntegrityAlarmState } } }, async (request) => {
    requireAdmin(request.principal);
    await ctx.integrity.refresh();
    return { alarm: ctx.integrity.openAlarm };
  });

  // Takes no fields (a body, if any, is an object).
  app.post('/api/v4/audit_events/integrity_alarm/acknowledge', { schema: { body: bodyOf({}), response: { 200: AcknowledgedAlarms } } }, async (request) => {
    requireAdmin(request.principal);
    const user = requireApiUser(request.principal, true).user;
    await ctx.integrity.refresh();
    const acknowledged = await ctx.integrity.acknowledge(auditContextOf(request), user.id);
    if (acknowledged.length === 0) throw errors.notFound('404 No open audit integrity alarm');
    return { acknowledged };
  });
}
