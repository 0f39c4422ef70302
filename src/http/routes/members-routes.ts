import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import {
  addMember,
  assertAccessLevel,
  findMemberRow,
  listAllMembers,
  listMembers,
  memberToApi,
  recordMemberChangeDenied,
  removeMember,
  updateMember,
  type CallerLevel,
  type MemberChangeAttempt,
  type MemberSource,
} from '../../core/accounts/members.js';
import { parseMemberExpiry } from '../../core/accounts/member-expiry.js';
import { requireApiUser, userNamespaceLevel, userProjectLevel } from '../../core/accounts/permissions.js';
import { findUserById } from '../../core/accounts/users.js';
import { errors } from '../../core/errors.js';
import { Member } from '../../contracts/members.js';
import type { Api } from '../api.js';
import type { AppContext } from '../app-context.js';
import { idParam, visibleGroup, visibleProject } from '../loaders.js';
import { listQuery, paginateArray } from '../pagination.js';
import { auditedBy } from '../audited-by.js';
import { recordingRefusal } from '../recorded-refusal.js';
import { accessLevel, bodyOf, id, paramsOf } from '../schemas.js';

/** GitLab's member `expires_at`: a date, or empty/null for none. */
const memberExpiry = Type.Unsafe<string | null>({ type: ['string', 'null'], maxLength: 10, pattern: '^(?:[0-9]{4}-[0-9]{2}-[0-9]{2})?$' });
const newMember = bodyOf({ user_id: id, access_level: accessLevel, expires_at: memberExpiry }, ['user_id', 'access_level']);
const memberChange = bodyOf({ access_level: accessLevel, expires_at: memberExpiry }, ['access_level']);
const bySource = paramsOf('id');
const byMember = paramsOf('id', 'user_id');
const list = { params: bySource, querystring: listQuery(), response: { 200: Type.Array(Member) } };
const one = { params: byMember, response: { 200: Member } };

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

/** Runs a membership change; a refusal (403) is recorded as member_change_denied, then answered. */
function auditingRefusal<T>(ctx: AppContext, request: FastifyRequest, source: MemberSource, attempt: MemberChangeAttempt, change: () => Promise<T>): Promise<T> {
  return recordingRefusal(change, (reason) => recordMemberChangeDenied(ctx.db, auditedBy(ctx, request), source, attempt, reason));
}

function registerFor(app: Api, ctx: AppContext, prefix: string, load: SourceLoader): void {
  const base = ctx.config.baseUrl;

  app.get(`${prefix}/:id/members`, { schema: list }, async (request, reply) => {
    requireApiUser(request.principal, false);
    const { source } = await load(ctx, request, request.params.id);
    return paginateArray(request, reply, base, await listMembers(ctx.db, source)).map((m) => memberToApi(m, base));
  });

  app.get(`${prefix}/:id/members/all`, { schema: list }, async (request, reply) => {
    requireApiUser(request.principal, false);
    const { source } = await load(ctx, request, request.params.id);
    return paginateArray(request, reply, base, await listAllMembers(ctx.db, source)).map((m) => memberToApi(m, base));
  });

  app.get(`${prefix}/:id/members/all/:user_id`, { schema: one }, async (request) => {
    requireApiUser(request.principal, false);
    const { source } = await load(ctx, request, request.params.id);
    const userId = idParam(request.params.user_id, 'Member');
    const member = (await listAllMembers(ctx.db, source)).find((m) => m.id === userId);
    if (!member) throw errors.notFound('404 Member Not Found');
    return memberToApi(member, base);
  });

  app.get(`${prefix}/:id/members/:user_id`, { schema: one }, async (request) => {
    requireApiUser(request.principal, false);
    const { source } = await load(ctx, request, request.params.id);
    const member = await findMemberRow(ctx.db, source, idParam(request.params.user_id, 'Member'));
    if (!member) throw errors.notFound('404 Member Not Found');
    return memberToApi(member, base);
  });

  app.post(`${prefix}/:id/members`, { schema: { params: bySource, body: newMember, response: { 201: Member } } }, async (request, reply) => {
    requireApiUser(request.principal, true);
    const { source, level: callerLevel } = await load(ctx, request, request.params.id);
    const level = assertAccessLevel(request.body?.access_level);
    const expiresAt = parseMemberExpiry(request.body?.expires_at) ?? null;
    const user = await findUserById(ctx.db, Number(request.body?.user_id));
    if (!user) throw errors.notFound('404 User Not Found');
    await auditingRefusal(ctx, request, source, { action: 'add', userId: user.id, accessLevel: level }, () =>
      addMember(ctx.db, auditedBy(ctx, request), source, user, { accessLevel: level, expiresAt }, callerLevel),
    );
    return reply.status(201).send(memberToApi((await findMemberRow(ctx.db, source, user.id))!, base));
  });

  app.put(`${prefix}/:id/members/:user_id`, { schema: { params: byMember, body: memberChange, response: { 200: Member } } }, async (request) => {
    requireApiUser(request.principal, true);
    const { source, levelIn } = await load(ctx, request, request.params.id);
    const level = assertAccessLevel(request.body?.access_level);
    const expiresAt = parseMemberExpiry(request.body?.expires_at);
    const userId = idParam(request.params.user_id, 'Member');
    const member = await auditingRefusal(ctx, request, source, { action: 'change', userId, accessLevel: level }, () =>
      updateMember(ctx.db, auditedBy(ctx, request), source, levelIn, userId, { accessLevel: level, expiresAt }),
    );
    return memberToApi(member, base);
  });

  app.delete(`${prefix}/:id/members/:user_id`, { schema: { params: byMember } }, async (request, reply) => {
    requireApiUser(request.principal, true);
    const { source, levelIn } = await load(ctx, request, request.params.id);
    const userId = idParam(request.params.user_id, 'Member');
    await auditingRefusal(ctx, request, source, { action: 'remove', userId, accessLevel: null }, () => removeMember(ctx.db, auditedBy(ctx, request), source, levelIn, userId));
    return reply.status(204).send();
  });
}

export function registerMemberRoutes(app: Api, ctx: AppContext): void {
  registerFor(app, ctx, '/api/v4/groups', groupSource);
  registerFor(app, ctx, '/api/v4/projects', projectSource);
}
