import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseAuditFilters } from '../../core/audit/audit-query.js';
import { exportHeader, recordExport } from '../../core/audit/export/export-audit.js';
import { exportFormatNamed } from '../../core/audit/export/export-formats.js';
import { parseProofsParameter, pinProofs } from '../../core/audit/export/export-proofs.js';
import { exportChunks } from '../../core/audit/export/export-stream.js';
import { errors } from '../../core/errors.js';
import type { AppContext } from '../app-context.js';
import { AUDIT_FILTER_QUERY, groupView, instanceView, projectView, userView, type AuditViewParams, type ResolvedView } from '../audit-views.js';
import { auditContextOf } from '../request-context.js';

// GET .../audit_events/export?format=csv|jsonl|ocsf|cef (SPEC 4.6): the views, visibility and
// filters of the list endpoints, streamed oldest first, audited before the first byte is sent.
// JSONL only: proofs=true adds to every record sealed by the latest checkpoint (pinned when the
// export starts) its inclusion proof; the pinned tree is held meanwhile (~64 bytes per event in
// the log, export-proofs.ts), refused with 400 above TROVE_AUDIT_PROOF_MAX_EVENTS.

type Req = FastifyRequest<{ Params: AuditViewParams }>;

export function registerAuditExportRoutes(app: FastifyInstance, ctx: AppContext): void {
  async function exportView(request: FastifyRequest, reply: FastifyReply, resolved: ResolvedView) {
    const query = request.query as Record<string, unknown>;
    const format = exportFormatNamed(query.format);
    const filters = { ...parseAuditFilters(query), onlyAuthorId: resolved.onlyAuthorId };
    const withProofs = parseProofsParameter(query.proofs);
    if (withProofs && !format.proofs) throw errors.badRequest(`proofs=true is only available with format=jsonl`);
    // Pinned before the export's own event: the proofs are against a checkpoint that exists now.
    const proofs = withProofs ? await pinProofs(ctx.db, ctx.config.auditProofMaxEvents) : undefined;
    const exported = { ...resolved, format, filters, proofs: withProofs };
    const bounded = await recordExport(ctx.db, ctx.audit, auditContextOf(request), exported);
    const fileName = `audit-events-${resolved.label.replaceAll('/', '-')}-${new Date().toISOString().slice(0, 10)}.${format.extension}`;
    reply.header('content-type', format.contentType).header('content-disposition', `attachment; filename="${fileName}"`);
    // One page buffered at most: the next one is read from the database only when the socket has
    // taken the previous one (back-pressure), so memory does not depend on the size of the export.
    return reply.send(Readable.from(exportChunks(ctx.db, resolved.view, bounded, format, undefined, proofs, exportHeader(exported, bounded)), { highWaterMark: 1 }));
  }

  const schema = { querystring: { type: 'object', properties: AUDIT_FILTER_QUERY } };
  app.get('/api/v4/audit_events/export', { schema }, async (request, reply) => exportView(request, reply, await instanceView(request)));
  app.get<{ Params: AuditViewParams }>('/api/v4/groups/:id/audit_events/export', { schema }, async (request: Req, reply) =>
    exportView(request, reply, await groupView(ctx, request)),
  );
  app.get<{ Params: AuditViewParams }>('/api/v4/projects/:id/audit_events/export', { schema }, async (request: Req, reply) =>
    exportView(request, reply, await projectView(ctx, request)),
  );
  app.get<{ Params: AuditViewParams }>('/api/v4/users/:id/audit_events/export', { schema }, async (request: Req, reply) =>
    exportView(request, reply, await userView(ctx, request)),
  );
}
