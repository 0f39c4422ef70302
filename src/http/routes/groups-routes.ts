import Type from 'typebox';
import { AccessLevel } from '../../core/accounts/access-levels.js';
import { createGroup } from '../../core/accounts/group-lifecycle.js';
import { groupToApi } from '../../core/accounts/namespaces.js';
import { visibleGroups, visibleProjectsIn, visibleSubgroups } from '../../core/accounts/namespace-reads.js';
import { requireApiUser, requireApiUserOrAnonymous, userNamespaceLevel } from '../../core/accounts/permissions.js';
import { projectToApi } from '../../core/accounts/projects.js';
import { errors } from '../../core/errors.js';
import { Group, Project } from '../../contracts/namespaces.js';
import type { Api } from '../api.js';
import type { AppContext } from '../app-context.js';
import { auditedBy } from '../audited-by.js';
import { visibleGroup } from '../loaders.js';
import { groupOrderQuery, MEMBERSHIP_LIST_QUERY, membershipListFilter, orderGroups, passesMembershipFilter } from '../membership-list-filters.js';
import { flagValue, listQuery, paginateArray, queryFlag } from '../pagination.js';
import { bodyOf, name, namespaceRef, nullableText, paramsOf, visibility } from '../schemas.js';

const newGroup = bodyOf({ name, path: name, parent_id: namespaceRef, visibility, description: nullableText(2000) });
const byId = paramsOf('id');
const groupsQuery = listQuery({
  search: Type.String({ maxLength: 255 }),
  ...MEMBERSHIP_LIST_QUERY,
  ...groupOrderQuery,
  top_level_only: queryFlag,
  all_available: queryFlag,
});

export function registerGroupRoutes(app: Api, ctx: AppContext): void {
  const base = ctx.config.baseUrl;

  app.post('/api/v4/groups', { schema: { body: newGroup, response: { 201: Group } } }, async (request, reply) => {
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
      { name: body.name ?? '', path: body.path ?? body.name ?? '', parentId, visibility: body.visibility, description: body.description ?? undefined },
      principal.user,
    );
    return reply.status(201).send(groupToApi(group, base));
  });

  app.get('/api/v4/groups', { schema: { querystring: groupsQuery, response: { 200: Type.Array(Group) } } }, async (request, reply) => {
    requireApiUserOrAnonymous(request.principal);
    const query = request.query;
    const filter = membershipListFilter(query);
    const groups = await visibleGroups(ctx.db, request.principal, { search: query.search, topLevelOnly: flagValue(query.top_level_only) === true });
    const listed = [];
    for (const group of groups) {
      if (await passesMembershipFilter(filter, request.principal, group, (userId) => userNamespaceLevel(ctx.db, userId, false, group))) listed.push(group);
    }
    return paginateArray(request, reply, base, orderGroups(listed, query)).map((g) => groupToApi(g, base));
  });

  app.get('/api/v4/groups/:id', { schema: { params: byId, response: { 200: Group } } }, async (request) => {
    requireApiUserOrAnonymous(request.principal);
    const { group } = await visibleGroup(ctx, request, request.params.id);
    return groupToApi(group, base);
  });

  const subgroupsSchema = { params: byId, querystring: listQuery(), response: { 200: Type.Array(Group) } };
  app.get('/api/v4/groups/:id/subgroups', { schema: subgroupsSchema }, async (request, reply) => {
    requireApiUserOrAnonymous(request.principal);
    const { group } = await visibleGroup(ctx, request, request.params.id);
    const visible = await visibleSubgroups(ctx.db, request.principal, group);
    return paginateArray(request, reply, base, visible).map((g) => groupToApi(g, base));
  });

  const projectsSchema = { params: byId, querystring: listQuery(), response: { 200: Type.Array(Project) } };
  app.get('/api/v4/groups/:id/projects', { schema: projectsSchema }, async (request, reply) => {
    requireApiUserOrAnonymous(request.principal);
    const { group } = await visibleGroup(ctx, request, request.params.id);
    const visible = await visibleProjectsIn(ctx.db, request.principal, group);
    return paginateArray(request, reply, base, visible).map((p) => projectToApi(p, group, base));
  });
}
