import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { requireAdmin } from '../../core/accounts/permissions.js';
import { consistencyProofFor, inclusionProofFor, latestCheckpoint } from '../../core/audit/audit-proofs.js';
import { listRotationStatements, listPublishedVerifierKeys } from '../../core/audit/seal/signing-keys.js';
import { checkpointsTextChunk, formatCheckpointsText } from '../../core/audit/verify/verify-files.js';
import { errors } from '../../core/errors.js';
import type { AppContext } from '../app-context.js';
import { idParam } from '../loaders.js';
import { listQuery, parsePaging, setPageHeaders } from '../pagination.js';

function requireSignedIn(principal: { kind: string }): void {
  if (principal.kind === 'anonymous') throw errors.unauthorized();
}

/** A tree size in a query (coerced from its text by the route's schema). */
const treeSize = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const consistencyQuery = { type: 'object', required: ['first', 'second'], properties: { first: treeSize, second: treeSize } } as const;
const proofQuery = { type: 'object', properties: { tree_size: { ...treeSize, minimum: 1 } } } as const;

/**
 * Checkpoints and public keys are what an auditor verifies exports against (SPEC 4.8). They
 * reveal only the size of the log, so any signed-in caller may read them; proofs of single
 * events are for administrators (group and project proofs ride on the export).
 */
export function registerAuditCheckpointRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/api/v4/audit_events/checkpoint', async (request) => {
    requireSignedIn(request.principal);
    const latest = await latestCheckpoint(ctx.db);
    const key = await ctx.sealer.signingKey();
    return {
      origin: ctx.sealer.origin,
      tree_size: latest ? Number(latest.tree_size) : 0,
      root_hash: latest?.root_hash ?? null,
      created_at: latest?.created_at ?? null,
      checkpoint: latest?.note ?? null,
      public_key: key.verifierKey,
      public_keys: (await listPublishedVerifierKeys(ctx.config.auditKeyDir)).map((k) => k.verifierKey),
    };
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

  app.get('/api/v4/audit_events/checkpoints', { schema: { querystring: listQuery() } }, async (request, reply) => {
    requireSignedIn(request.principal);
    const paging = parsePaging(request.query as Record<string, unknown>);
    const total = await ctx.db.selectFrom('audit_checkpoints').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    const rows = await ctx.db
      .selectFrom('audit_checkpoints')
      .select(['tree_size', 'root_hash', 'note', 'key_name', 'created_at'])
      .orderBy('tree_size', 'desc')
      .limit(paging.perPage)
      .offset(paging.offset)
      .execute();
    setPageHeaders(request, reply, ctx.config.baseUrl, paging, Number(total?.n ?? 0));
    return rows.map((r) => ({ tree_size: Number(r.tree_size), root_hash: r.root_hash, key_name: r.key_name, created_at: r.created_at, checkpoint: r.note }));
  });

  // Every checkpoint, oldest first, as signed notes separated by "---" lines: the checkpoints file
  // an auditor keeps and hands to `trove audit verify --checkpoints`. Streamed in batches.
  app.get('/api/v4/audit_events/checkpoints/all.txt', async (request, reply) => {
    requireSignedIn(request.principal);
    const db = ctx.db;
    async function* notes() {
      let after = -1;
      for (let first = true; ; ) {
        const rows = await db.selectFrom('audit_checkpoints').select(['tree_size', 'note']).where('tree_size', '>', after).orderBy('tree_size').limit(500).execute();
        for (const row of rows) {
          yield checkpointsTextChunk(row.note, first);
          first = false;
        }
        if (rows.length < 500) return;
        after = Number(rows[rows.length - 1].tree_size);
      }
    }
    return reply.type('text/plain; charset=utf-8').send(Readable.from(notes()));
  });

  app.get<{ Querystring: { first: number; second: number } }>('/api/v4/audit_events/consistency', { schema: { querystring: consistencyQuery } }, async (request) => {
    requireSignedIn(request.principal);
    return consistencyProofFor(ctx.db, request.query.first, request.query.second);
  });

  app.get<{ Params: { event_id: string }; Querystring: { tree_size?: number } }>(
    '/api/v4/audit_events/:event_id/proof',
    { schema: { querystring: proofQuery } },
    async (request) => {
      requireAdmin(request.principal);
      return inclusionProofFor(ctx.db, idParam(request.params.event_id, 'AuditEvent'), request.query.tree_size, ctx.config.auditProofMaxEvents);
    },
  );
}
