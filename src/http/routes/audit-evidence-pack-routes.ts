import type { FastifyReply, FastifyRequest } from 'fastify';
import { buildEvidencePack, type ExtraPackFile, type PackBounds } from '../../core/audit/evidence-pack/build-evidence-pack.js';
import type { AuditReport } from '../../contracts/audit-reports.js';
import type { Api } from '../api.js';
import type { AppContext } from '../app-context.js';
import { groupView, instanceView, projectView, type ResolvedView } from '../audit-views.js';
import { isoTimestamp, queryFlag, queryOf } from '../pagination.js';
import { auditContextOf } from '../request-context.js';
import { paramsOf } from '../schemas.js';

// GET .../audit_evidence_pack?from=&to= (docs/auditors.md): one zip with the JSONL export of the
// scope and period with inclusion proofs, the checkpoints, the keys, a manifest, a README and the
// standalone verifier (core/audit/evidence-pack). Who may: whoever may export that scope's audit
// log, through the same views as the export (audit-views.ts); audited as an export.

const packQuery = queryOf({ from: isoTimestamp, to: isoTimestamp, include_subgroups: queryFlag });

/** Files another part adds to every pack (the audit report), given the caller, the view and the pack's bounds. */
export type ExtraPackFiles = (request: FastifyRequest, kind: AuditReport['scope']['kind'], resolved: ResolvedView, bounds: PackBounds) => Promise<ExtraPackFile[]>;

export function registerAuditEvidencePackRoutes(app: Api, ctx: AppContext, extraFiles?: ExtraPackFiles): void {
  async function packOf(request: FastifyRequest, reply: FastifyReply, query: { from?: string; to?: string }, kind: AuditReport['scope']['kind'], resolved: ResolvedView) {
    const { stream, fileName } = await buildEvidencePack(ctx, auditContextOf(request), {
      ...resolved,
      from: query.from,
      to: query.to,
      extraFiles: extraFiles && ((bounds) => extraFiles(request, kind, resolved, bounds)),
    });
    reply.header('content-type', 'application/zip').header('content-disposition', `attachment; filename="${fileName}"`);
    return reply.send(stream);
  }

  const ofInstance = { querystring: packQuery };
  const ofOne = { params: paramsOf('id'), querystring: packQuery };
  app.get('/api/v4/audit_evidence_pack', { schema: ofInstance }, async (request, reply) => packOf(request, reply, request.query, 'instance', await instanceView(request)));
  app.get('/api/v4/groups/:id/audit_evidence_pack', { schema: ofOne }, async (request, reply) =>
    packOf(request, reply, request.query, 'group', await groupView(ctx, request, request.query.include_subgroups)),
  );
  app.get('/api/v4/projects/:id/audit_evidence_pack', { schema: ofOne }, async (request, reply) => packOf(request, reply, request.query, 'project', await projectView(ctx, request)));
}
