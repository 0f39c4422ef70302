import { expirationPolicyOf, expirationPolicyToApi } from '../../container-registry/governance/expiration-policy.js';
import Type from 'typebox';
import { AccessLevel } from '../../core/accounts/access-levels.js';
import { namespacesOfProjects, personalNamespaceOf, visibleProjects } from '../../core/accounts/namespace-reads.js';
import { findNamespace } from '../../core/accounts/namespaces.js';
import { requireApiUser, requireApiUserOrAnonymous, userNamespaceLevel, userProjectLevel } from '../../core/accounts/permissions.js';
import { createProject } from '../../core/accounts/project-lifecycle.js';
import { projectToApi, type Project as ProjectRow } from '../../core/accounts/projects.js';
import { errors } from '../../core/errors.js';
import { Project } from '../../contracts/namespaces.js';
import type { Api } from '../api.js';
import type { AppContext } from '../app-context.js';
import { auditedBy } from '../audited-by.js';
import { visibleProject } from '../loaders.js';
import { MEMBERSHIP_LIST_QUERY, membershipListFilter, orderProjects, passesMembershipFilter, projectOrderQuery } from '../membership-list-filters.js';
import { listQuery, paginateArray } from '../pagination.js';
import { bodyOf, name, namespaceRef, nullableText, paramsOf, text, visibility } from '../schemas.js';

const newProject = bodyOf({ name, path: name, namespace_id: namespaceRef, visibility, description: nullableText(2000) });
const projectsQuery = listQuery({ search: text(255), ...MEMBERSHIP_LIST_QUERY, ...projectOrderQuery });

export function registerProjectRoutes(app: Api, ctx: AppContext): void {
  const base = ctx.config.baseUrl;

  app.post('/api/v4/projects', { schema: { body: newProject, response: { 201: Project } } }, async (request, reply) => {
    const principal = requireApiUser(request.principal, true);
    const body = request.body ?? {};
    // Without namespace_id the project goes into the creator's own namespace, as in GitLab.
    const namespace =
      body.namespace_id === undefined || body.namespace_id === null ? await personalNamespaceOf(ctx.db, principal.user.id) : await findNamespace(ctx.db, String(body.namespace_id));
    if (!namespace) throw errors.notFound('404 Namespace Not Found');
    const level = await userNamespaceLevel(ctx.db, principal.user.id, principal.user.is_admin === 1, namespace);
    if (level === AccessLevel.none) throw errors.notFound('404 Namespace Not Found');
    if (level < AccessLevel.maintainer) throw errors.forbidden();
    const project = await createProject(ctx.db, auditedBy(ctx, request), {
      name: body.name,
      path: body.path,
      namespace,
      visibility: body.visibility,
      description: body.description ?? undefined,
    });
    return reply.status(201).send(projectToApi(project, namespace, base));
  });

  app.get('/api/v4/projects', { schema: { querystring: projectsQuery, response: { 200: Type.Array(Project) } } }, async (request, reply) => {
    requireApiUserOrAnonymous(request.principal);
    const query = request.query;
    const filter = membershipListFilter(query);
    const listed: ProjectRow[] = [];
    for (const project of await visibleProjects(ctx.db, request.principal, { search: query.search })) {
      if (await passesMembershipFilter(filter, request.principal, project, (userId) => userProjectLevel(ctx.db, userId, false, project))) listed.push(project);
    }
    const page = paginateArray(request, reply, base, orderProjects(listed, query));
    const namespaces = await namespacesOfProjects(ctx.db, page);
    return page.map((p) => projectToApi(p, namespaces.get(p.namespace_id)!, base));
  });

  app.get('/api/v4/projects/:id', { schema: { params: paramsOf('id'), response: { 200: Project } } }, async (request) => {
    requireApiUserOrAnonymous(request.principal);
    const { project, namespace } = await visibleProject(ctx, request, request.params.id);
    return { ...projectToApi(project, namespace, base), container_expiration_policy: expirationPolicyToApi(await expirationPolicyOf(ctx.db, project)) };
  });
}
