import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { parseAuditFilters } from '../../core/audit/audit-query.js';
import { exportHeader, recordExport } from '../../core/audit/export/export-audit.js';
import { exportFormatNamed } from '../../core/audit/export/export-formats.js';
import { parseProofsParameter, pinProofs } from '../../core/audit/export/export-proofs.js';
import { exportChunks } from '../../core/audit/export/export-stream.js';
import { errors } from '../../core/errors.js';
import type { Api } from '../api.js';
import type { AppContext } from '../app-context.js';
import { AUDIT_FILTER_QUERY, groupView, instanceView, projectView, userView, type ResolvedView } from '../audit-views.js';
import { queryOf } from '../pagination.js';
import { auditContextOf } from '../request-context.js';
import { paramsOf } from '../schemas.js';

// GET .../audit_events/export?format=csv|jsonl|ocsf|cef (docs/api.md#audit-export): the views, visibility and
// filters of the list endpoints, streamed oldest first, audited before the first byte is sent.
// JSONL only: proofs=true adds to every record sealed by the latest checkpoint (pinned when the
// export starts) its inclusion proof; the pinned tree is held meanwhile (~64 bytes per event in
// the log, export-proofs.ts), refused with 400 above TROVE_AUDIT_PROOF_MAX_EVENTS.

// format and proofs are text their parsers check (400 with the formats they take).
const exportQuery = queryOf({ ...AUDIT_FILTER_QUERY, format: Type.String(), proofs: Type.String() });
type ExportQuery = Static<typeof exportQuery>;

export function registerAuditExportRoutes(app: Api, ctx: AppContext): void {
  async function exportView(request: FastifyRequest, reply: FastifyReply, query: ExportQuery, resolved: ResolvedView) {
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

  // A stream: no response body schema.
  const ofInstance = { querystring: exportQuery };
  const ofOne = { params: paramsOf('id'), querystring: exportQuery };
  app.get('/api/v4/audit_events/export', { schema: ofInstance }, async (request, reply) => exportView(request, reply, request.query, await instanceView(request)));
  app.get('/api/v4/groups/:id/audit_events/export', { schema: ofOne }, async (request, reply) =>
    exportView(request, reply, request.query, await groupView(ctx, request, request.query.include_subgroups)),
  );
  app.get('/api/v4/projects/:id/audit_events/export', { schema: ofOne }, async (request, reply) =>
    exportView(request, reply, request.query, await projectView(ctx, request)),
  );
  app.get('/api/v4/users/:id/audit_events/export', { schema: ofOne }, async (request, reply) => exportView(request, reply, request.query, await userView(ctx, request)));
}
