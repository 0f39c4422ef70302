import { AccessLevel } from '../../core/accounts/access-levels.js';
import { requireAdmin, requireApiUser } from '../../core/accounts/permissions.js';
import { logIntegrity } from '../../core/audit/integrity/integrity-status.js';
import { verifyLogNow } from '../../core/audit/integrity/log-verification.js';
import { errors } from '../../core/errors.js';
import { AcknowledgedAlarms, IntegrityAlarmState } from '../../contracts/audit-checkpoints.js';
import { LogIntegrity, VerificationRun } from '../../contracts/audit-integrity.js';
import type { Api } from '../api.js';
import type { AppContext } from '../app-context.js';
import { visibleGroup } from '../loaders.js';
import { auditContextOf } from '../request-context.js';
import { bodyOf, paramsOf } from '../schemas.js';

/**
 * The audit log's integrity alarm (docs/architecture.md#tamper-evidence): administrators read it and acknowledge it. The
 * acknowledgement is itself an audit event (`audit_integrity_alarm_acknowledged`) and lets
 * package writes resume; later self-checks start from the checkpoint that was the latest then.
 * The log integrity panel (docs/api.md#audit-log-integrity) reads the integrity state; an administrator
 * verifies the whole log now, recorded as `audit_log_verified`.
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

  const parts = { db: ctx.db, integrity: ctx.integrity, sealer: ctx.sealer };
  app.get('/api/v4/audit_events/integrity', { schema: { response: { 200: LogIntegrity } } }, async (request) => {
    requireAdmin(request.principal);
    return logIntegrity(parts, { kind: 'instance' });
  });

  // Owners of the group: what concerns it (its own streaming destinations), and the log's state.
  app.get('/api/v4/groups/:id/audit_events/integrity', { schema: { params: paramsOf('id'), response: { 200: LogIntegrity } } }, async (request) => {
    requireApiUser(request.principal, false);
    const { group, level } = await visibleGroup(ctx, request, request.params.id);
    if (level < AccessLevel.owner) throw errors.forbidden();
    return logIntegrity(parts, { kind: 'group', group });
  });

  // Takes no fields (a body, if any, is an object).
  app.post('/api/v4/audit_events/verification', { schema: { body: bodyOf({}), response: { 201: VerificationRun } } }, async (request, reply) => {
    requireAdmin(request.principal);
    const run = await verifyLogNow(ctx.db, ctx.audit, auditContextOf(request), { pinned: await ctx.integrity.pinnedKeys(), keyDir: ctx.config.auditKeyDir });
    return reply.code(201).send(run);
  });
}
