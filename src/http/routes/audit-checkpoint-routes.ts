import { Readable } from 'node:stream';
import Type from 'typebox';
import { requireAdmin } from '../../core/accounts/permissions.js';
import { consistencyProofFor, inclusionProofFor } from '../../core/audit/audit-proofs.js';
import { checkpointsFile, checkpointStatus, countCheckpoints, listCheckpoints } from '../../core/audit/checkpoint-reads.js';
import { listRotationStatements, listPublishedVerifierKeys } from '../../core/audit/seal/signing-keys.js';
import { formatCheckpointsText } from '../../core/audit/verify/verify-files.js';
import { errors } from '../../core/errors.js';
import { Checkpoint, ConsistencyProof, InclusionProof, LatestCheckpoint } from '../../contracts/audit-checkpoints.js';
import type { Api } from '../api.js';
import type { AppContext } from '../app-context.js';
import { idParam } from '../loaders.js';
import { listQuery, parsePaging, queryOf, setPageHeaders } from '../pagination.js';
import { paramsOf } from '../schemas.js';

function requireSignedIn(principal: { kind: string }): void {
  if (principal.kind === 'anonymous') throw errors.unauthorized();
}

/** A tree size in a query (coerced from its text by the route's schema). */
const treeSize = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const consistencyQuery = Type.Object({ first: treeSize, second: treeSize });
const proofQuery = queryOf({ tree_size: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });

/**
 * Checkpoints and public keys are what an auditor verifies exports against (docs/architecture.md#tamper-evidence). They
 * reveal only the size of the log, so any signed-in caller may read them; proofs of single
 * events are for administrators (group and project proofs ride on the export).
 */
export function registerAuditCheckpointRoutes(app: Api, ctx: AppContext): void {
  app.get('/api/v4/audit_events/checkpoint', { schema: { response: { 200: LatestCheckpoint } } }, async (request) => {
    requireSignedIn(request.principal);
    return checkpointStatus(ctx.db, ctx.sealer, ctx.config.auditKeyDir);
  });

  app.get('/api/v4/audit_events/checkpoint/public_key', async (request, reply) => {
    requireSignedIn(request.principal);
    await ctx.sealer.signingKey();
    const keys = await listPublishedVerifierKeys(ctx.config.auditKeyDir);
    return reply.type('text/plain; charset=utf-8').send(keys.map((k) => `${k.verifierKey}\n`).join(''));
  });

  // The key rotation statements (seal/key-rotation.ts), each signed by the key it replaced, oldest
  // first, separated by "---" lines: `trove audit verify --key-rotations` trusts a new key through
  // them when the old one is pinned.
  app.get('/api/v4/audit_events/checkpoint/key_rotations', async (request, reply) => {
    requireSignedIn(request.principal);
    const statements = await listRotationStatements(ctx.config.auditKeyDir);
    return reply.type('text/plain; charset=utf-8').send(formatCheckpointsText(statements.map((s) => s.note)));
  });

  app.get('/api/v4/audit_events/checkpoints', { schema: { querystring: listQuery(), response: { 200: Type.Array(Checkpoint) } } }, async (request, reply) => {
    requireSignedIn(request.principal);
    const paging = parsePaging(request.query);
    setPageHeaders(request, reply, ctx.config.baseUrl, paging, await countCheckpoints(ctx.db));
    return listCheckpoints(ctx.db, { limit: paging.perPage, offset: paging.offset });
  });

  // Every checkpoint, oldest first, as signed notes separated by "---" lines: the checkpoints file
  // an auditor keeps and hands to `trove audit verify --checkpoints`. Streamed in batches.
  app.get('/api/v4/audit_events/checkpoints/all.txt', async (request, reply) => {
    requireSignedIn(request.principal);
    return reply.type('text/plain; charset=utf-8').send(Readable.from(checkpointsFile(ctx.db)));
  });

  app.get('/api/v4/audit_events/consistency', { schema: { querystring: consistencyQuery, response: { 200: ConsistencyProof } } }, async (request) => {
    requireSignedIn(request.principal);
    return consistencyProofFor(ctx.db, request.query.first, request.query.second);
  });

  const proofSchema = { params: paramsOf('event_id'), querystring: proofQuery, response: { 200: InclusionProof } };
  app.get('/api/v4/audit_events/:event_id/proof', { schema: proofSchema }, async (request) => {
    requireAdmin(request.principal);
    return inclusionProofFor(ctx.db, idParam(request.params.event_id, 'AuditEvent'), request.query.tree_size, ctx.config.auditProofMaxEvents);
  });
}
