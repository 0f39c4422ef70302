import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { AuditReport } from '../../contracts/audit-reports.js';
import { requireApiUser } from '../../core/accounts/permissions.js';
import { buildAuditReport, parseReportPeriod, renderAuditReportHtml, reportTrust, type ReportPeriod } from '../../core/audit/report/index.js';
import type { ExtraPackFile, PackBounds } from '../../core/audit/evidence-pack/build-evidence-pack.js';
import type { Api } from '../api.js';
import type { AppContext } from '../app-context.js';
import { groupView, instanceView, projectView, type ResolvedView } from '../audit-views.js';
import { isoTimestamp, oneOf, queryFlag, queryOf } from '../pagination.js';
import { auditContextOf } from '../request-context.js';
import { paramsOf } from '../schemas.js';

// GET .../audit_reports?from=&to= (docs/api.md#audit-reports): the views and visibility of the
// audit events endpoints (audit-views.ts), a period [from, to), JSON by default or format=html for
// the printable document. Reading a report reads the audit log, so it is recorded as an export is
// (`audit_events_exported`, format "report"), before the report is made, which ends just before it.

const reportQuery = queryOf({ from: isoTimestamp, to: isoTimestamp, include_subgroups: queryFlag, format: oneOf(['json', 'html']) });
type ReportQuery = Static<typeof reportQuery>;

// A document of its own: its inline style may apply, nothing else may load or run.
const HTML_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function registerAuditReportRoutes(app: Api, ctx: AppContext): void {
  async function recordRead(request: FastifyRequest, resolved: ResolvedView, period: ReportPeriod): Promise<number> {
    const event = await ctx.audit.recordAlone(ctx.db, auditContextOf(request), {
      eventName: 'audit_events_exported',
      scope: resolved.scope,
      project: resolved.project,
      target: { id: null, type: 'AuditEvents', details: resolved.label },
      customMessage: `Generated the audit report of ${resolved.label}${resolved.includeSubgroups ? ' with subgroups' : ''} for ${period.from} to ${period.to}`,
      changes: {
        format: { from: null, to: 'report' },
        period: { from: null, to: { from: period.from, to: period.to } },
        ...(resolved.includeSubgroups ? { filters: { from: null, to: { include_subgroups: true } } } : {}),
      },
    });
    if (!event) throw new Error('audit_events_exported was not recorded');
    return event.id - 1;
  }

  async function report(request: FastifyRequest, reply: FastifyReply, query: ReportQuery, kind: AuditReport['scope']['kind'], resolved: ResolvedView) {
    const period = parseReportPeriod(query.from, query.to);
    const throughId = await recordRead(request, resolved, period);
    const built = await reportOf(ctx, request, kind, resolved, period, throughId);
    if (query.format !== 'html') return built;
    const fileName = `audit-report-${resolved.label.replaceAll('/', '-')}-${period.from.slice(0, 10)}-${period.to.slice(0, 10)}.html`;
    reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', HTML_POLICY).header('content-disposition', `attachment; filename="${fileName}"`);
    return reply.send(renderAuditReportHtml(built));
  }

  // The contract of the JSON; the html format is a string, which no JSON check applies to.
  const response = { 200: AuditReport };
  app.get('/api/v4/audit_reports', { schema: { querystring: reportQuery, response } }, async (request, reply) =>
    report(request, reply, request.query, 'instance', await instanceView(request)),
  );
  app.get('/api/v4/groups/:id/audit_reports', { schema: { params: paramsOf('id'), querystring: reportQuery, response } }, async (request, reply) =>
    // A group's report covers its subgroups unless include_subgroups=false.
    report(request, reply, request.query, 'group', await groupView(ctx, request, request.query.include_subgroups ?? 'true')),
  );
  app.get('/api/v4/projects/:id/audit_reports', { schema: { params: paramsOf('id'), querystring: reportQuery, response } }, async (request, reply) =>
    report(request, reply, request.query, 'project', await projectView(ctx, request)),
  );
}

async function reportOf(ctx: AppContext, request: FastifyRequest, kind: AuditReport['scope']['kind'], resolved: ResolvedView, period: ReportPeriod, throughId: number): Promise<AuditReport> {
  return buildAuditReport(ctx.db, {
    view: resolved.view,
    onlyAuthorId: resolved.onlyAuthorId,
    scope: { kind, id: scopeId(kind, resolved), label: resolved.label, include_subgroups: resolved.includeSubgroups },
    period,
    generatedBy: requireApiUser(request.principal, false).user.username,
    throughId,
    trust: await reportTrust(ctx.config),
    proofMaxEvents: ctx.config.auditProofMaxEvents,
  });
}

/**
 * The audit report of an evidence pack (report.json and report.html), over exactly the pack's
 * events: its period (the export's ends are inclusive, a report's `to` is not: one millisecond
 * later) up to the pack's own event. Not recorded apart: the pack's export event covers it.
 */
export async function packReportFiles(ctx: AppContext, request: FastifyRequest, kind: AuditReport['scope']['kind'], resolved: ResolvedView, bounds: PackBounds): Promise<ExtraPackFile[]> {
  const from = bounds.from ?? new Date(0).toISOString();
  const to = new Date((bounds.to ? Date.parse(bounds.to) : Date.now()) + 1).toISOString();
  const built = await reportOf(ctx, request, kind, resolved, parseReportPeriod(from, to), bounds.throughId);
  return [
    { name: 'report.json', content: `${JSON.stringify(built, null, 1)}\n` },
    { name: 'report.html', content: renderAuditReportHtml(built) },
  ];
}

function scopeId(kind: AuditReport['scope']['kind'], resolved: ResolvedView): number | null {
  if (kind === 'instance') return null;
  return kind === 'project' ? (resolved.project?.id ?? null) : resolved.scope.entityId;
}
