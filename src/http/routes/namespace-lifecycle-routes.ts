import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { expirationPolicyOf, expirationPolicyToApi, updateExpirationPolicy } from '../../container-registry/governance/expiration-policy.js';
import { auditContextOf } from '../request-context.js';
import { AccessLevel } from '../../core/accounts/access-levels.js';
import { deleteGroup, transferGroup, updateGroup } from '../../core/accounts/group-lifecycle.js';
import { findNamespace, groupToApi, namespaceOfProject, type Namespace } from '../../core/accounts/namespaces.js';
import { requireApiUser, userNamespaceLevel } from '../../core/accounts/permissions.js';
import { deleteProject, transferProject, updateProject } from '../../core/accounts/project-lifecycle.js';
import { projectToApi } from '../../core/accounts/projects.js';
import { errors } from '../../core/errors.js';
import { Message } from '../../contracts/common.js';
import { Group, Project } from '../../contracts/namespaces.js';
import type { Api } from '../api.js';
import type { AppContext } from '../app-context.js';
import { auditedBy } from '../audited-by.js';
import { auditingBulkDeleteRefusals } from '../denials.js';
import { visibleGroup, visibleProject } from '../loaders.js';
import { bodyOf, name, namespaceRef, nullableText, paramsOf, visibility } from '../schemas.js';

// Changing, transferring and deleting groups and projects, with GitLab's endpoints, bodies and
// status codes. Owners change a group; maintainers a project's name, path and description, owners
// its visibility; deleting and transferring take an owner (and rights on the target, as in GitLab).

const changes = bodyOf({ name, path: name, description: nullableText(2000), visibility });
/** GitLab's container_expiration_policy_attributes ride along with a project's changes. */
const projectChanges = bodyOf({ name, path: name, description: nullableText(2000), visibility, container_expiration_policy_attributes: Type.Unsafe<Record<string, unknown>>({ type: 'object' }) });
const groupTransfer = bodyOf({ group_id: namespaceRef });
const projectTransfer = bodyOf({ namespace: namespaceRef }, ['namespace']);
const ACCEPTED = { message: '202 Accepted' };
const byId = paramsOf('id');
const deletion = { params: byId, response: { 202: Message } };

function assertLevel(level: number, needed: number): void {
  if (level < needed) throw errors.forbidden();
}

export function registerNamespaceLifecycleRoutes(app: Api, ctx: AppContext): void {
  const base = ctx.config.baseUrl;

  app.put('/api/v4/groups/:id', { schema: { params: byId, body: changes, response: { 200: Group } } }, async (request) => {
    requireApiUser(request.principal, true);
    const { group, level } = await visibleGroup(ctx, request, request.params.id);
    assertLevel(level, AccessLevel.owner);
    return groupToApi(await updateGroup(ctx.db, auditedBy(ctx, request), group, request.body ?? {}), base);
  });

  app.post('/api/v4/groups/:id/transfer', { schema: { params: byId, body: groupTransfer, response: { 201: Group } } }, async (request, reply) => {
    requireApiUser(request.principal, true);
    const { group, level } = await visibleGroup(ctx, request, request.params.id);
    assertLevel(level, AccessLevel.owner);
    const targetRef = request.body?.group_id;
    let target: Namespace | null = null;
    if (targetRef !== undefined && targetRef !== null) {
      const visible = await visibleGroup(ctx, request, String(targetRef));
      assertLevel(visible.level, AccessLevel.owner);
      target = visible.group;
    }
    return reply.status(201).send(groupToApi(await transferGroup(ctx.db, auditedBy(ctx, request), group, target), base));
  });

  app.delete('/api/v4/groups/:id', { schema: deletion }, async (request, reply) => {
    requireApiUser(request.principal, true);
    const { group, level } = await visibleGroup(ctx, request, request.params.id);
    assertLevel(level, AccessLevel.owner);
    await auditingBulkDeleteRefusals(ctx, request, () => deleteGroup(ctx.db, auditedBy(ctx, request), ctx.packages, group));
    return reply.status(202).send(ACCEPTED);
  });

  app.put('/api/v4/projects/:id', { schema: { params: byId, body: projectChanges, response: { 200: Project } } }, async (request) => {
    const principal = requireApiUser(request.principal, true);
    const { project, level } = await visibleProject(ctx, request, request.params.id);
    assertLevel(level, AccessLevel.maintainer);
    const { container_expiration_policy_attributes: expiration, ...body } = request.body ?? {};
    if (body.visibility !== undefined && body.visibility !== project.visibility) assertLevel(level, AccessLevel.owner);
    // The cleanup policy first: a bad attribute refuses the whole PUT before anything changed.
    const policy = expiration
      ? await updateExpirationPolicy(ctx.db, ctx.audit, auditContextOf(request), project, expiration, principal.user.is_admin === 1)
      : await expirationPolicyOf(ctx.db, project);
    const updated = await updateProject(ctx.db, auditedBy(ctx, request), project, body);
    return { ...projectToApi(updated, await namespaceOfProject(ctx.db, updated), base), container_expiration_policy: expirationPolicyToApi(policy) };
  });

  /** Moves a project the caller owns into a namespace where they are maintainer or more (GitLab's rules). */
  async function transferInto(request: FastifyRequest, projectRef: string, namespaceRef: string) {
    const principal = requireApiUser(request.principal, true);
    const { project, level } = await visibleProject(ctx, request, projectRef);
    assertLevel(level, AccessLevel.owner);
    const target = await findNamespace(ctx.db, namespaceRef);
    const targetLevel = target ? await userNamespaceLevel(ctx.db, principal.user.id, principal.user.is_admin === 1, target) : AccessLevel.none;
    if (!target || targetLevel === AccessLevel.none) throw errors.notFound('404 Namespace Not Found');
    assertLevel(targetLevel, AccessLevel.maintainer);
    return { moved: await transferProject(ctx.db, auditedBy(ctx, request), project, target), target };
  }

  app.put('/api/v4/projects/:id/transfer', { schema: { params: byId, body: projectTransfer, response: { 200: Project } } }, async (request) => {
    const { moved, target } = await transferInto(request, request.params.id, String(request.body?.namespace));
    return projectToApi(moved, target, base);
  });

  // GitLab's other spelling of the same move (python-gitlab's group.transfer_project): answers with the group.
  const byProject = { params: paramsOf('id', 'project_id'), response: { 201: Group } };
  app.post('/api/v4/groups/:id/projects/:project_id', { schema: byProject }, async (request, reply) => {
    requireApiUser(request.principal, true);
    // Only a group the caller may see: a hidden one is the same 404 as none, so that its existence does not leak.
    const { group } = await visibleGroup(ctx, request, request.params.id);
    const { target } = await transferInto(request, request.params.project_id, String(group.id));
    return reply.status(201).send(groupToApi(target, base));
  });

  app.delete('/api/v4/projects/:id', { schema: deletion }, async (request, reply) => {
    requireApiUser(request.principal, true);
    const { project, level } = await visibleProject(ctx, request, request.params.id);
    assertLevel(level, AccessLevel.owner);
    await auditingBulkDeleteRefusals(ctx, request, () => deleteProject(ctx.db, auditedBy(ctx, request), ctx.packages, project));
    return reply.status(202).send(ACCEPTED);
  });
}
