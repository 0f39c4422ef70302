import type { FastifyReply, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { countEvents, findEvent, listEvents, parseAuditFilters, type AuditFilters } from '../../core/audit/audit-query.js';
import { errors } from '../../core/errors.js';
import { AuditEvent } from '../../contracts/audit-events.js';
import type { Api } from '../api.js';
import type { AppContext } from '../app-context.js';
import { AUDIT_FILTER_QUERY, groupView, instanceView, projectView, userView, type ResolvedView } from '../audit-views.js';
import { idParam } from '../loaders.js';
import { linkTo, listQuery, oneOf, parsePaging, queryOf, setPageHeaders } from '../pagination.js';
import { paramsOf } from '../schemas.js';

// cursor: base64url of a small JSON object (encodeCursor below).
const eventsQuery = listQuery({ ...AUDIT_FILTER_QUERY, pagination: oneOf(['offset', 'keyset']), cursor: Type.String({ maxLength: 200 }) });
type EventsQuery = Static<typeof eventsQuery>;
const events = Type.Array(AuditEvent);

/** Visibility of docs/architecture.md#scope-and-visibility (resolved in ../audit-views.ts, shared with the export endpoints). */
export function registerAuditEventRoutes(app: Api, ctx: AppContext): void {
  const base = ctx.config.baseUrl;

  async function list(request: FastifyRequest, reply: FastifyReply, query: EventsQuery, resolved: ResolvedView): Promise<AuditEvent[]> {
    const filters: AuditFilters = { ...parseAuditFilters(query), onlyAuthorId: resolved.onlyAuthorId };
    const paging = parsePaging(query);
    if (query.pagination === 'keyset') {
      const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const events = await listEvents(ctx.db, resolved.view, filters, { limit: paging.perPage + 1, beforeId: cursor });
      const hasMore = events.length > paging.perPage;
      const pageEvents = events.slice(0, paging.perPage);
      if (hasMore) {
        const next = encodeCursor(pageEvents[pageEvents.length - 1].id);
        reply.header('link', `<${linkTo(request, base, { pagination: 'keyset', per_page: paging.perPage, cursor: next })}>; rel="next"`);
      }
      reply.header('x-per-page', String(paging.perPage));
      return pageEvents;
    }
    const total = await countEvents(ctx.db, resolved.view, filters);
    setPageHeaders(request, reply, base, paging, total);
    return listEvents(ctx.db, resolved.view, filters, { limit: paging.perPage, offset: paging.offset });
  }

  async function one(eventId: string, resolved: ResolvedView): Promise<AuditEvent> {
    const event = await findEvent(ctx.db, resolved.view, { onlyAuthorId: resolved.onlyAuthorId }, idParam(eventId, 'AuditEvent'));
    if (!event) throw errors.notFound('404 AuditEvent Not Found');
    return event;
  }

  const ofInstance = { querystring: eventsQuery, response: { 200: events } };
  const ofOne = { params: paramsOf('id'), querystring: eventsQuery, response: { 200: events } };
  const eventOfInstance = { params: paramsOf('event_id'), response: { 200: AuditEvent } };
  const eventOfOne = { params: paramsOf('id', 'event_id'), response: { 200: AuditEvent } };
  // A group's single event: in the group's view with its subgroups when include_subgroups says so.
  const eventOfGroup = { ...eventOfOne, querystring: queryOf({ include_subgroups: Type.String() }) };

  app.get('/api/v4/audit_events', { schema: ofInstance }, async (request, reply) => list(request, reply, request.query, await instanceView(request)));
  app.get('/api/v4/audit_events/:event_id', { schema: eventOfInstance }, async (request) => one(request.params.event_id, await instanceView(request)));
  app.get('/api/v4/groups/:id/audit_events', { schema: ofOne }, async (request, reply) =>
    list(request, reply, request.query, await groupView(ctx, request, request.query.include_subgroups)),
  );
  app.get('/api/v4/groups/:id/audit_events/:event_id', { schema: eventOfGroup }, async (request) =>
    one(request.params.event_id, await groupView(ctx, request, request.query.include_subgroups)),
  );
  app.get('/api/v4/projects/:id/audit_events', { schema: ofOne }, async (request, reply) => list(request, reply, request.query, await projectView(ctx, request)));
  app.get('/api/v4/projects/:id/audit_events/:event_id', { schema: eventOfOne }, async (request) => one(request.params.event_id, await projectView(ctx, request)));
  app.get('/api/v4/users/:id/audit_events', { schema: ofOne }, async (request, reply) => list(request, reply, request.query, await userView(ctx, request)));
  app.get('/api/v4/users/:id/audit_events/:event_id', { schema: eventOfOne }, async (request) => one(request.params.event_id, await userView(ctx, request)));
}

function encodeCursor(id: number): string {
  return Buffer.from(JSON.stringify({ id }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): number {
  try {
    const { id } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { id: unknown };
    if (typeof id === 'number' && Number.isInteger(id)) return id;
  } catch {
    // fall through to the error below
  }
  throw errors.badRequest('cursor is invalid');
}
