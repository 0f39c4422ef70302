import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { countEvents, findEvent, listEvents, parseAuditFilters, type AuditFilters } from '../../core/audit/audit-query.js';
import { errors } from '../../core/errors.js';
import type { AppContext } from '../app-context.js';
import {
  AUDIT_FILTER_QUERY,
  groupView as resolveGroupView,
  instanceView,
  projectView as resolveProjectView,
  userView as resolveUserView,
  type AuditViewParams,
  type ResolvedView,
} from '../audit-views.js';
import { idParam } from '../loaders.js';
import { linkTo, listQuery, oneOf, parsePaging, setPageHeaders } from '../pagination.js';

type Params = AuditViewParams & { event_id?: string };

/** Visibility of SPEC 4.2 (resolved in ../audit-views.ts, shared with the export endpoints). */
export function registerAuditEventRoutes(app: FastifyInstance, ctx: AppContext): void {
  const base = ctx.config.baseUrl;
  const groupView = (request: FastifyRequest<{ Params: Params }>) => resolveGroupView(ctx, request);
  const projectView = (request: FastifyRequest<{ Params: Params }>) => resolveProjectView(ctx, request);
  const userView = (request: FastifyRequest<{ Params: Params }>) => resolveUserView(ctx, request);

  async function list(request: FastifyRequest, reply: FastifyReply, resolved: ResolvedView) {
    const query = request.query as Record<string, unknown>;
    const filters: AuditFilters = { ...parseAuditFilters(query), onlyAuthorId: resolved.onlyAuthorId };
    const paging = parsePaging(query);
    if (query.pagination === 'keyset') {
      const cursor = query.cursor === undefined ? undefined : decodeCursor(String(query.cursor));
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

  async function one(request: FastifyRequest<{ Params: Params }>, resolved: ResolvedView) {
    const event = await findEvent(ctx.db, resolved.view, { onlyAuthorId: resolved.onlyAuthorId }, idParam(request.params.event_id ?? '', 'AuditEvent'));
    if (!event) throw errors.notFound('404 AuditEvent Not Found');
    return event;
  }

  // cursor: base64url of a small JSON object (encodeCursor below).
  const schema = { querystring: listQuery({ ...AUDIT_FILTER_QUERY, pagination: oneOf(['offset', 'keyset']), cursor: { type: 'string', maxLength: 200 } }) };
  app.get('/api/v4/audit_events', { schema }, async (request, reply) => list(request, reply, await instanceView(request)));
  app.get<{ Params: Params }>('/api/v4/audit_events/:event_id', async (request) => one(request, await instanceView(request)));
  app.get<{ Params: Params }>('/api/v4/groups/:id/audit_events', { schema }, async (request, reply) => list(request, reply, await groupView(request)));
  app.get<{ Params: Params }>('/api/v4/groups/:id/audit_events/:event_id', async (request) => one(request, await groupView(request)));
  app.get<{ Params: Params }>('/api/v4/projects/:id/audit_events', { schema }, async (request, reply) => list(request, reply, await projectView(request)));
  app.get<{ Params: Params }>('/api/v4/projects/:id/audit_events/:event_id', async (request) => one(request, await projectView(request)));
  app.get<{ Params: Params }>('/api/v4/users/:id/audit_events', { schema }, async (request, reply) => list(request, reply, await userView(request)));
  app.get<{ Params: Params }>('/api/v4/users/:id/audit_events/:event_id', async (request) => one(request, await userView(request)));
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
