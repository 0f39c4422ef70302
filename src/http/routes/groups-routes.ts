import type { FastifyInstance } from 'fastify';
import { AccessLevel } from '../../core/accounts/access-levels.js';
import { createGroup } from '../../core/accounts/group-lifecycle.js';
import { groupToApi, type Namespace } from '../../core/accounts/namespaces.js';
import { groupVisible, projectAccess, requireApiUser, requireApiUserOrAnonymous, userNamespaceLevel } from '../../core/accounts/permissions.js';
import { projectToApi } from '../../core/accounts/projects.js';
import { errors } from '../../core/errors.js';
import type { AppContext } from '../app-context.js';
import { auditedBy } from '../audited-by.js';
import { visibleGroup } from '../loaders.js';
import { groupOrderQuery, MEMBERSHIP_LIST_QUERY, membershipListFilter, orderGroups, passesMembershipFilter } from '../membership-list-filters.js';
import { flagValue, listQuery, paginateArray, queryFlag } from '../pagination.js';
import { bodyOf, name, namespaceRef, nullableText, visibility } from '../schemas.js';

type Body = Record<string, unknown>;

const newGroup = bodyOf({ name, path: name, parent_id: namespaceRef, visibility, description: nullableText(2000) });

export function registerGroupRoutes(app: FastifyInstance, ctx: AppContext): void {
  const base = ctx.config.baseUrl;

  app.post<{ Body: Body }>('/api/v4/groups', { schema: { body: newGroup } }, async (request, reply) => {
    const principal = requireApiUser(request.principal, true);
    const body = request.body ?? {};
    let parentId: number | null = null;
    if (body.parent_id !== undefined && body.parent_id !== null) {
      const { group: parent, level } = await visibleGroup(ctx, request, String(body.parent_id));
      if (level < AccessLevel.maintainer) throw errors.forbidden();
      parentId = parent.id;
    }
    // The creator becomes the new group's owner (as in GitLab), recorded with the group's creation.
    const group = await createGroup(
      ctx.db,
      auditedBy(ctx, request),
      {
        name: body.name as string,
        path: (body.path ?? body.name) as string,
        parentId,
        visibility: body.visibility as never,
        description: typeof body.description === 'string' ? body.description : undefined,
      },
      principal.user,
    );
    return reply.status(201).send(groupToApi(group, base));
  });

  const search = { search: { type: 'string', maxLength: 255 } };
  const groupsQuery = listQuery({ ...search, ...MEMBERSHIP_LIST_QUERY, ...groupOrderQuery, top_level_only: queryFlag, all_available: queryFlag });
  app.get('/api/v4/groups', { schema: { querystring: groupsQuery } }, async (request, reply) => {
    requireApiUserOrAnonymous(request.principal);
    const { search, top_level_only } = request.query as { search?: string; top_level_only?: string };
    const filter = membershipListFilter(request.query);
    const topLevelOnly = flagValue(top_level_only) === true;
    const all = await ctx.db.selectFrom('namespaces').selectAll().where('kind', '=', 'group').orderBy('full_path').execute();
    const visible: Namespace[] = [];
    for (const group of all) {
      if (search && !group.full_path.toLowerCase().includes(search.toLowerCase())) continue;
      if (topLevelOnly && group.parent_id !== null) continue;
      if (!(await groupVisible(ctx.db, request.principal, group)).visible) continue;
      if (await passesMembershipFilter(filter, request.principal, group, (userId) => userNamespaceLevel(ctx.db, userId, false, group))) visible.push(group);
    }
    return paginateArray(request, reply, base, orderGroups(visible, request.query)).map((g) => groupToApi(g, base));
  });

  app.get<{ Params: { id: string } }>('/api/v4/groups/:id', async (request) => {
    requireApiUserOrAnonymous(request.principal);
    const { group } = await visibleGroup(ctx, request, request.params.id);
    return groupToApi(group, base);
  });

  app.get<{ Params: { id: string } }>('/api/v4/groups/:id/subgroups', { schema: { querystring: listQuery() } }, async (request, reply) => {
    requireApiUserOrAnonymous(request.principal);
    const { group } = await visibleGroup(ctx, request, request.params.id);
    const children = await ctx.db.selectFrom('namespaces').selectAll().where('parent_id', '=', group.id).orderBy('path').execute();
    const visible: Namespace[] = [];
    for (const child of children) if ((await groupVisible(ctx.db, request.principal, child)).visible) visible.push(child);
    return paginateArray(request, reply, base, visible).map((g) => groupToApi(g, base));
  });

  app.get<{ Params: { id: string } }>('/api/v4/groups/:id/projects', { schema: { querystring: listQuery() } }, async (request, reply) => {
    requireApiUserOrAnonymous(request.principal);
    const { group } = await visibleGroup(ctx, request, request.params.id);
    const projects = await ctx.db.selectFrom('projects').selectAll().where('namespace_id', '=', group.id).orderBy('path').execute();
    const visible = [];
    for (const project of projects) if ((await projectAccess(ctx.db, request.principal, project)).visible) visible.push(project);
    return paginateArray(request, reply, base, visible).map((p) => projectToApi(p, group, base));
  });
}
