import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  addMember,
  assertAccessLevel,
  findMemberRow,
  listAllMembers,
  listMembers,
  memberToApi,
  removeMember,
  updateMember,
  type CallerLevel,
  type MemberSource,
} from '../../core/accounts/members.js';
import { parseMemberExpiry } from '../../core/accounts/member-expiry.js';
import { requireApiUser, userNamespaceLevel, userProjectLevel } from '../../core/accounts/permissions.js';
import { findUserById } from '../../core/accounts/users.js';
import { errors } from '../../core/errors.js';
import type { AppContext } from '../app-context.js';
import { idParam, visibleGroup, visibleProject } from '../loaders.js';
import { listQuery, paginateArray } from '../pagination.js';
import { auditedBy } from '../audited-by.js';
import { accessLevel, bodyOf, id } from '../schemas.js';

type Params = { id: string; user_id?: string };
type Body = Record<string, unknown>;

/** GitLab's member `expires_at`: a date, or empty/null for none. */
const memberExpiry = { type: ['string', 'null'], maxLength: 10, pattern: '^(?:[0-9]{4}-[0-9]{2}-[0-9]{2})?$' } as const;
const newMember = bodyOf({ user_id: id, access_level: accessLevel, expires_at: memberExpiry }, ['user_id', 'access_level']);
const memberChange = bodyOf({ access_level: accessLevel, expires_at: memberExpiry }, ['access_level']);

/**
 * Resolves the member source for a route, the caller's level on it, and how to read that level again
 * inside the transaction of a change (REST writes are by users: requireApiUser comes first).
 */
type SourceLoader = (ctx: AppContext, request: FastifyRequest, ref: string) => Promise<{ source: MemberSource; level: number; levelIn: CallerLevel }>;

function callerOf(request: FastifyRequest): { id: number; admin: boolean } {
  const principal = requireApiUser(request.principal, false);
  return { id: principal.user.id, admin: principal.user.is_admin === 1 };
}

const groupSource: SourceLoader = async (ctx, request, ref) => {
  const { group, level } = await visibleGroup(ctx, request, ref);
  const caller = callerOf(request);
  return { source: { type: 'namespace', id: group.id }, level, levelIn: (db) => userNamespaceLevel(db, caller.id, caller.admin, group) };
};

const projectSource: SourceLoader = async (ctx, request, ref) => {
  const { project, level } = await visibleProject(ctx, request, ref);
  const caller = callerOf(request);
  return { source: { type: 'project', id: project.id }, level, levelIn: (db) => userProjectLevel(db, caller.id, caller.admin, project) };
};

function registerFor(app: FastifyInstance, ctx: AppContext, prefix: string, load: SourceLoader): void {
  const base = ctx.config.baseUrl;

  app.get<{ Params: Params }>(`${prefix}/:id/members`, { schema: { querystring: listQuery() } }, async (request, reply) => {
    requireApiUser(request.principal, false);
    const { source } = await load(ctx, request, request.params.id);
    return paginateArray(request, reply, base, await listMembers(ctx.db, source)).map((m) => memberToApi(m, base));
  });

  app.get<{ Params: Params }>(`${prefix}/:id/members/all`, { schema: { querystring: listQuery() } }, async (request, reply) => {
    requireApiUser(request.principal, false);
    const { source } = await load(ctx, request, request.params.id);
    return paginateArray(request, reply, base, await listAllMembers(ctx.db, source)).map((m) => memberToApi(m, base));
  });

  app.get<{ Params: Params }>(`${prefix}/:id/members/all/:user_id`, async (request) => {
    requireApiUser(request.principal, false);
    const { source } = await load(ctx, request, request.params.id);
    const userId = idParam(request.params.user_id ?? '', 'Member');
    const member = (await listAllMembers(ctx.db, source)).find((m) => m.id === userId);
    if (!member) throw errors.notFound('404 Member Not Found');
    return memberToApi(member, base);
  });

  app.get<{ Params: Params }>(`${prefix}/:id/members/:user_id`, async (request) => {
    requireApiUser(request.principal, false);
    const { source } = await load(ctx, request, request.params.id);
    const member = await findMemberRow(ctx.db, source, idParam(request.params.user_id ?? '', 'Member'));
    if (!member) throw errors.notFound('404 Member Not Found');
    return memberToApi(member, base);
  });

  app.post<{ Params: Params; Body: Body }>(`${prefix}/:id/members`, { schema: { body: newMember } }, async (request, reply) => {
    requireApiUser(request.principal, true);
    const { source, level: callerLevel } = await load(ctx, request, request.params.id);
    const level = assertAccessLevel(request.body?.access_level);
    const expiresAt = parseMemberExpiry(request.body?.expires_at) ?? null;
    const user = await findUserById(ctx.db, Number(request.body?.user_id));
    if (!user) throw errors.notFound('404 User Not Found');
    await addMember(ctx.db, auditedBy(ctx, request), source, user, { accessLevel: level, expiresAt }, callerLevel);
    return reply.status(201).send(memberToApi((await findMemberRow(ctx.db, source, user.id))!, base));
  });

  app.put<{ Params: Params; Body: Body }>(`${prefix}/:id/members/:user_id`, { schema: { body: memberChange } }, async (request) => {
    requireApiUser(request.principal, true);
    const { source, levelIn } = await load(ctx, request, request.params.id);
    const level = assertAccessLevel(request.body?.access_level);
    const expiresAt = parseMemberExpiry(request.body?.expires_at);
    const userId = idParam(request.params.user_id ?? '', 'Member');
    const member = await updateMember(ctx.db, auditedBy(ctx, request), source, levelIn, userId, { accessLevel: level, expiresAt });
    return memberToApi(member, base);
  });

  app.delete<{ Params: Params }>(`${prefix}/:id/members/:user_id`, async (request, reply) => {
    requireApiUser(request.principal, true);
    const { source, levelIn } = await load(ctx, request, request.params.id);
    await removeMember(ctx.db, auditedBy(ctx, request), source, levelIn, idParam(request.params.user_id ?? '', 'Member'));
    return reply.status(204).send();
  });
}

export function registerMemberRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerFor(app, ctx, '/api/v4/groups', groupSource);
  registerFor(app, ctx, '/api/v4/projects', projectSource);
}
