import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AccessLevel } from '../../core/accounts/access-levels.js';
import { requireAdmin, requireApiUser } from '../../core/accounts/permissions.js';
import { errors } from '../../core/errors.js';
import { addressPolicyOf } from '../../core/audit/streaming/destination-address.js';
import { parseDestinationChanges, parseNewDestination } from '../../core/audit/streaming/destination-input.js';
import {
  createDestination,
  deleteDestination,
  findDestination,
  listDestinations,
  updateDestination,
  type DestinationOwner,
  type DestinationRow,
} from '../../core/audit/streaming/destination-store.js';
import { countDeadLetters, deliveryStatus, listDeadLetters, replayDeadLetters, sendTestEvent } from '../../core/audit/streaming/delivery-status.js';
import { generateSecret, verificationToken } from '../../core/audit/streaming/webhook-signature.js';
import type { AppContext } from '../app-context.js';
import { idParam, visibleGroup } from '../loaders.js';
import { listQuery, paginateArray, parsePaging, setPageHeaders } from '../pagination.js';
import { auditContextOf } from '../request-context.js';

// SPEC 4.7 streaming destinations: /groups/:id/... for owners of top-level groups, and the
// instance's for administrators. The secret is in the creation response only.

type Params = { id?: string; destination_id?: string };
type Body = Record<string, unknown> | undefined;

export function registerAuditStreamingRoutes(app: FastifyInstance, ctx: AppContext): void {
  const policy = addressPolicyOf(ctx.config);

  async function ownerOf(request: FastifyRequest<{ Params: Params }>, write: boolean): Promise<DestinationOwner> {
    if (request.params.id === undefined) {
      requireAdmin(request.principal);
      return { kind: 'instance' };
    }
    requireApiUser(request.principal, write);
    const { group, level } = await visibleGroup(ctx, request, request.params.id);
    if (level < AccessLevel.owner) throw errors.forbidden();
    if (group.parent_id !== null) throw errors.badRequest('Streaming destinations can only be set on top-level groups');
    return { kind: 'group', group };
  }

  async function destinationOf(request: FastifyRequest<{ Params: Params }>, write: boolean) {
    const owner = await ownerOf(request, write);
    const row = await findDestination(ctx.db, owner, idParam(request.params.destination_id ?? '', 'Destination'));
    if (!row) throw errors.notFound('404 Destination Not Found');
    return { owner, row };
  }

  async function toApi(row: DestinationRow) {
    const headers = JSON.parse(row.headers) as Record<string, string>;
    return {
      id: row.id,
      name: row.name,
      destination_url: row.url,
      group_id: row.namespace_id,
      event_names: JSON.parse(row.event_names) as string[],
      // Header values are often SIEM credentials: named, never shown.
      headers: Object.fromEntries(Object.keys(headers).map((key) => [key, '[MASKED]'])),
      active: row.active === 1,
      created_at: row.created_at,
      updated_at: row.updated_at,
      status: await deliveryStatus(ctx.db, row),
    };
  }

  for (const base of ['/api/v4/groups/:id/audit_events/streaming/destinations', '/api/v4/audit_events/streaming/destinations']) {
    const one = `${base}/:destination_id`;

    app.get<{ Params: Params }>(base, { schema: { querystring: listQuery() } }, async (request, reply) => {
      const rows = await listDestinations(ctx.db, await ownerOf(request, false));
      return Promise.all(paginateArray(request, reply, ctx.config.baseUrl, rows).map(toApi));
    });

    app.post<{ Params: Params; Body: Body }>(base, async (request, reply) => {
      const owner = await ownerOf(request, true);
      const fields = await parseNewDestination({ ...request.body, url: request.body?.url ?? request.body?.destination_url }, policy, generateSecret());
      const row = await createDestination(ctx.db, ctx.audit, auditContextOf(request), owner, fields);
      // Shown this once: Trove needs the secret to sign, but never hands it out again.
      return reply.status(201).send({ ...(await toApi(row)), secret: row.secret, verification_token: verificationToken(row.secret) });
    });

    app.get<{ Params: Params }>(one, async (request) => toApi((await destinationOf(request, false)).row));

    app.put<{ Params: Params; Body: Body }>(one, async (request) => {
      const { owner, row } = await destinationOf(request, true);
      const body = { ...request.body };
      if (body.destination_url !== undefined && body.url === undefined) body.url = body.destination_url;
      delete body.destination_url;
      const changes = await parseDestinationChanges(body, policy);
      const updated = await updateDestination(ctx.db, ctx.audit, auditContextOf(request), owner, row, changes);
      if (changes.active) ctx.audit.outboxSignal.notify(); // a reactivated destination resumes its backlog now
      return toApi(updated);
    });

    app.delete<{ Params: Params }>(one, async (request, reply) => {
      const { owner, row } = await destinationOf(request, true);
      await deleteDestination(ctx.db, ctx.audit, auditContextOf(request), owner, row);
      return reply.status(204).send();
    });

    app.get<{ Params: Params }>(`${one}/dead_letters`, { schema: { querystring: listQuery() } }, async (request, reply) => {
      const { row } = await destinationOf(request, false);
      const paging = parsePaging(request.query as Record<string, unknown>);
      setPageHeaders(request, reply, ctx.config.baseUrl, paging, await countDeadLetters(ctx.db, row.id));
      return listDeadLetters(ctx.db, row.id, { limit: paging.perPage, offset: paging.offset });
    });

    app.post<{ Params: Params; Body: Body }>(`${one}/dead_letters/replay`, async (request) => {
      const { row } = await destinationOf(request, true);
      const seqs = request.body?.seqs;
      if (seqs !== undefined && (!Array.isArray(seqs) || seqs.some((s) => !Number.isInteger(s)) || seqs.length > 10_000)) {
        throw errors.badRequest('seqs must be an array of event seqs (leave it out to replay every dead letter)');
      }
      const replayed = await replayDeadLetters(ctx.db, row.id, (seqs as number[] | undefined) ?? null);
      ctx.audit.outboxSignal.notify();
      return { replayed };
    });

    app.post<{ Params: Params }>(`${one}/test`, async (request) => {
      const { row } = await destinationOf(request, true);
      const result = await sendTestEvent(row, policy, ctx.config.streaming.timeoutMs);
      return { delivered: result.kind === 'delivered', status: result.status, error: result.kind === 'failed' ? result.error : null, webhook_id: result.uuid };
    });
  }
}
