import type { FastifyRequest } from 'fastify';
import { findGroup, findNamespace, isRowId, namespaceOfProject, type Namespace } from '../core/accounts/namespaces.js';
import { groupVisible, projectAccess } from '../core/accounts/permissions.js';
import { findProject, type Project } from '../core/accounts/projects.js';
import { errors } from '../core/errors.js';
import type { AppContext } from './app-context.js';

// Route helpers that turn an `:id` (numeric or URL-encoded full path) into a row the caller
// may know about, answering 404 otherwise so that existence never leaks.

export async function visibleProject(ctx: AppContext, request: FastifyRequest, ref: string): Promise<{ project: Project; namespace: Namespace; level: number }> {
  const project = await findProject(ctx.db, ref);
  if (!project) throw errors.notFound('404 Project Not Found');
  const access = await projectAccess(ctx.db, request.principal, project);
  if (!access.visible) throw errors.notFound('404 Project Not Found');
  return { project, namespace: await namespaceOfProject(ctx.db, project), level: access.level };
}

export async function visibleGroup(ctx: AppContext, request: FastifyRequest, ref: string): Promise<{ group: Namespace; level: number }> {
  const group = await findGroup(ctx.db, ref);
  if (!group) throw errors.notFound('404 Group Not Found');
  const { visible, level } = await groupVisible(ctx.db, request.principal, group);
  if (!visible) throw errors.notFound('404 Group Not Found');
  return { group, level };
}

/** A group or user namespace; a user namespace is visible only to its owner and admins. */
export async function visibleNamespace(ctx: AppContext, request: FastifyRequest, ref: string): Promise<{ namespace: Namespace; level: number }> {
  const namespace = await findNamespace(ctx.db, ref);
  if (!namespace) throw errors.notFound('404 Namespace Not Found');
  const { visible, level } = await groupVisible(ctx.db, request.principal, namespace);
  if (!visible) throw errors.notFound('404 Namespace Not Found');
  return { namespace, level };
}

/** A numeric id from the URL; anything else, or a number beyond any id, is 404. */
export function idParam(value: string, name = 'id'): number {
  if (!/^\d+$/.test(value) || !isRowId(Number(value))) throw errors.notFound(`404 ${name} Not Found`);
  return Number(value);
}
