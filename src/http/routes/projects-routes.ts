import type { FastifyInstance } from 'fastify';
import { AccessLevel } from '../../core/accounts/access-levels.js';
import { findNamespace, type Namespace } from '../../core/accounts/namespaces.js';
import { projectAccess, requireApiUser, requireApiUserOrAnonymous, userNamespaceLevel, userProjectLevel } from '../../core/accounts/permissions.js';
import { createProject } from '../../core/accounts/project-lifecycle.js';
import { projectToApi, type Project } from '../../core/accounts/projects.js';
import { errors } from '../../core/errors.js';
import type { AppContext } from '../app-context.js';
import { auditedBy } from '../audited-by.js';
import { visibleProject } from '../loaders.js';
import { MEMBERSHIP_LIST_QUERY, membershipListFilter, orderProjects, passesMembershipFilter, projectOrderQuery } from '../membership-list-filters.js';
import { listQuery, paginateArray } from '../pagination.js';
import { bodyOf, name, namespaceRef, nullableText, visibility } from '../schemas.js';

type Body = Record<string, unknown>;

const newProject = bodyOf({ name, path: name, namespace_id: namespaceRef, visibility, description: nullableText(2000) });

export function registerProjectRoutes(app: FastifyInstance, ctx: AppContext): void {
  const base = ctx.config.baseUrl;

  app.post<{ Body: Body }>('/api/v4/projects', { schema: { body: newProject } }, async (request, reply) => {
    const principal = requireApiUser(request.principal, true);
    const body = request.body ?? {};
    let namespace: Namespace | undefined;
    if (body.namespace_id === undefined || body.namespace_id === null) {
      namespace = await ctx.db.selectFrom('namespaces').selectAll().where('kind', '=', 'user').where('owner_user_id', '=', principal.user.id).executeTakeFirst();
    } else {
      namespace = await findNamespace(ctx.db, String(body.namespace_id));
    }
    if (!namespace) throw errors.notFound('404 Namespace Not Found');
    const level = await userNamespaceLevel(ctx.db, principal.user.id, principal.user.is_admin === 1, namespace);
    if (level === AccessLevel.none) throw errors.notFound('404 Namespace Not Found');
    if (level < AccessLevel.maintainer) throw errors.forbidden();
    const project = await createProject(ctx.db, auditedBy(ctx, request), {
      name: body.name as string | undefined,
      path: body.path as string | undefined,
      namespace,
      visibility: body.visibility as never,
      description: typeof body.description === 'string' ? body.description : undefined,
    });
    return reply.status(201).send(projectToApi(project, namespace, base));
  });

  const listSchema = { querystring: listQuery({ search: { type: 'string', maxLength: 255 }, ...MEMBERSHIP_LIST_QUERY, ...projectOrderQuery }) };
  app.get('/api/v4/projects', { schema: listSchema }, async (request, reply) => {
    requireApiUserOrAnonymous(request.principal);
    const { search } = request.query as { search?: string };
    const filter = membershipListFilter(request.query);
    const all = await ctx.db.selectFrom('projects').selectAll().orderBy('id', 'desc').execute();
    const visible: Project[] = [];
    for (const project of all) {
      if (search && !project.full_path.toLowerCase().includes(search.toLowerCase())) continue;
      if (!(await projectAccess(ctx.db, request.principal, project)).visible) continue;
      if (await passesMembershipFilter(filter, request.principal, project, (userId) => userProjectLevel(ctx.db, userId, false, project))) visible.push(project);
    }
    const page = paginateArray(request, reply, base, orderProjects(visible, request.query));
    const namespaces = new Map<number, Namespace>();
    for (const project of page) {
      if (!namespaces.has(project.namespace_id)) {
        namespaces.set(project.namespace_id, await ctx.db.selectFrom('namespaces').selectAll().where('id', '=', project.namespace_id).executeTakeFirstOrThrow());
      }
    }
    return page.map((p) => projectToApi(p, namespaces.get(p.namespace_id)!, base));
  });

  app.get<{ Params: { id: string } }>('/api/v4/projects/:id', async (request) => {
    requireApiUserOrAnonymous(request.principal);
    const { project, namespace } = await visibleProject(ctx, request, request.params.id);
    return projectToApi(project, namespace, base);
  });
}
