import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { AccessLevel } from '../../core/accounts/access-levels.js';
import { requireAdmin, requireApiUser } from '../../core/accounts/permissions.js';
import { errors } from '../../core/errors.js';
import { addressPolicyOf } from '../../core/audit/streaming/destination-address.js';
import { destinationToApi } from '../../core/audit/streaming/destination-api.js';
import { MAX_CUSTOM_HEADERS, parseDestinationChanges, parseNewDestination } from '../../core/audit/streaming/destination-input.js';
import { createDestination, deleteDestination, findDestination, listDestinations, updateDestination, type DestinationOwner } from '../../core/audit/streaming/destination-store.js';
import { countDeadLetters, listDeadLetters, replayDeadLetters, sendTestEvent } from '../../core/audit/streaming/delivery-status.js';
import { generateSecret, verificationToken } from '../../core/audit/streaming/webhook-signature.js';
import { CreatedStreamingDestination, DeadLetter, ReplayedDeadLetters, StreamingDestination, TestDelivery } from '../../contracts/audit-streaming.js';
import type { Api } from '../api.js';
import type { AppContext } from '../app-context.js';
import { idParam, visibleGroup } from '../loaders.js';
import { listQuery, paginateArray, parsePaging, setPageHeaders } from '../pagination.js';
import { auditContextOf } from '../request-context.js';
import { bodyOf, name, pathParam, text } from '../schemas.js';

// docs/api.md#audit-event-streaming streaming destinations: /groups/:id/... for owners of top-level groups, and the
// instance's for administrators. The secret is in the creation response only.

// The shape of each field; what a URL, secret or header may be is checked by destination-input.ts.
const destinationFields = {
  name,
  url: text(2048),
  destination_url: text(2048),
  secret: text(1024),
  event_names: Type.Array(text(128), { maxItems: 200 }),
  // {"Authorization": "Splunk abc"} or GitLab's [{"key": ..., "value": ...}].
  headers: Type.Unsafe<Record<string, unknown> | unknown[]>({ type: ['object', 'array'], maxProperties: MAX_CUSTOM_HEADERS, maxItems: MAX_CUSTOM_HEADERS }),
  active: Type.Boolean(),
};
const destinationBody = bodyOf(destinationFields);
const replayBody = bodyOf({ seqs: Type.Array(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }), { maxItems: 10_000 }) });

// The group's routes have :id, the instance's do not.
const ofOwner = Type.Object({ id: Type.Optional(pathParam) });
const ofDestination = Type.Object({ id: Type.Optional(pathParam), destination_id: pathParam });

export function registerAuditStreamingRoutes(app: Api, ctx: AppContext): void {
  const policy = addressPolicyOf(ctx.config);

  async function ownerOf(request: FastifyRequest, groupId: string | undefined, write: boolean): Promise<DestinationOwner> {
    if (groupId === undefined) {
      requireAdmin(request.principal);
      return { kind: 'instance' };
    }
    requireApiUser(request.principal, write);
    const { group, level } = await visibleGroup(ctx, request, groupId);
    if (level < AccessLevel.owner) throw errors.forbidden();
    if (group.parent_id !== null) throw errors.badRequest('Streaming destinations can only be set on top-level groups');
    return { kind: 'group', group };
  }

  async function destinationOf(request: FastifyRequest, params: { id?: string; destination_id: string }, write: boolean) {
    const owner = await ownerOf(request, params.id, write);
    const row = await findDestination(ctx.db, owner, idParam(params.destination_id, 'Destination'));
    if (!row) throw errors.notFound('404 Destination Not Found');
    return { owner, row };
  }

  const toApi = (row: Parameters<typeof destinationToApi>[1]) => destinationToApi(ctx.db, row);

  for (const base of ['/api/v4/groups/:id/audit_events/streaming/destinations', '/api/v4/audit_events/streaming/destinations']) {
    const one = `${base}/:destination_id`;

    const listSchema = { params: ofOwner, querystring: listQuery(), response: { 200: Type.Array(StreamingDestination) } };
    app.get(base, { schema: listSchema }, async (request, reply) => {
      const rows = await listDestinations(ctx.db, await ownerOf(request, request.params.id, false));
      return Promise.all(paginateArray(request, reply, ctx.config.baseUrl, rows).map(toApi));
    });

    app.post(base, { schema: { params: ofOwner, body: destinationBody, response: { 201: CreatedStreamingDestination } } }, async (request, reply) => {
      const owner = await ownerOf(request, request.params.id, true);
      const body = request.body ?? {};
      const fields = await parseNewDestination({ ...body, url: body.url ?? body.destination_url }, policy, generateSecret());
      const row = await createDestination(ctx.db, ctx.audit, auditContextOf(request), owner, fields);
      // Shown this once: Trove needs the secret to sign, but never hands it out again.
      return reply.status(201).send({ ...(await toApi(row)), secret: row.secret, verification_token: verificationToken(row.secret) });
    });

    app.get(one, { schema: { params: ofDestination, response: { 200: StreamingDestination } } }, async (request) => toApi((await destinationOf(request, request.params, false)).row));

    app.put(one, { schema: { params: ofDestination, body: destinationBody, response: { 200: StreamingDestination } } }, async (request) => {
      const { owner, row } = await destinationOf(request, request.params, true);
      const body = { ...request.body };
      if (body.destination_url !== undefined && body.url === undefined) body.url = body.destination_url;
      delete body.destination_url;
      const changes = await parseDestinationChanges(body, policy);
      const updated = await updateDestination(ctx.db, ctx.audit, auditContextOf(request), owner, row, changes);
      if (changes.active) ctx.audit.outboxSignal.notify(); // a reactivated destination resumes its backlog now
      return toApi(updated);
    });

    app.delete(one, { schema: { params: ofDestination } }, async (request, reply) => {
      const { owner, row } = await destinationOf(request, request.params, true);
      await deleteDestination(ctx.db, ctx.audit, auditContextOf(request), owner, row);
      return reply.status(204).send();
    });

    const deadLettersSchema = { params: ofDestination, querystring: listQuery(), response: { 200: Type.Array(DeadLetter) } };
    app.get(`${one}/dead_letters`, { schema: deadLettersSchema }, async (request, reply) => {
      const { row } = await destinationOf(request, request.params, false);
      const paging = parsePaging(request.query);
      setPageHeaders(request, reply, ctx.config.baseUrl, paging, await countDeadLetters(ctx.db, row.id));
      return listDeadLetters(ctx.db, row.id, { limit: paging.perPage, offset: paging.offset });
    });

    // seqs left out: every dead letter.
    app.post(`${one}/dead_letters/replay`, { schema: { params: ofDestination, body: replayBody, response: { 200: ReplayedDeadLetters } } }, async (request) => {
      const { row } = await destinationOf(request, request.params, true);
      const replayed = await replayDeadLetters(ctx.db, row.id, request.body?.seqs ?? null);
      ctx.audit.outboxSignal.notify();
      return { replayed };
    });

    app.post(`${one}/test`, { schema: { params: ofDestination, response: { 200: TestDelivery } } }, async (request) => {
      const { row } = await destinationOf(request, request.params, true);
      const result = await sendTestEvent(row, policy, ctx.config.streaming.timeoutMs);
      return { delivered: result.kind === 'delivered', status: result.status, error: result.kind === 'failed' ? result.error : null, webhook_id: result.uuid };
    });
  }
}
