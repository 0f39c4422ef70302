import type { FastifyRequest } from 'fastify';
import { findProject, type Project } from '../core/accounts/projects.js';
import { errors } from '../core/errors.js';
import type { Namespace } from '../core/accounts/namespaces.js';
import type { AppContext } from '../http/app-context.js';
import { visibleGroup } from '../http/loaders.js';

/** A request whose route names a project or group by `:id`. */
type ProjectRequest = FastifyRequest & { params: { id: string } };

/**
 * The project named by a package-manager URL (`:id` = numeric id or URL-encoded path).
 * Unknown projects answer 401 to anonymous callers, so that clients retry with credentials
 * and nobody learns which private projects exist; authenticated callers get 404.
 */
export async function registryProject(ctx: AppContext, request: ProjectRequest): Promise<Project> {
  const project = await findProject(ctx.db, request.params.id);
  if (!project) {
    if (request.principal.kind === 'anonymous') throw errors.unauthorized();
    throw errors.notFound('Project not found');
  }
  return project;
}

/** The group of a group-level package-manager URL; anonymous callers get 401 rather than 404, as for projects. */
export async function registryGroup(ctx: AppContext, request: ProjectRequest): Promise<Namespace> {
  try {
    return (await visibleGroup(ctx, request, request.params.id)).group;
  } catch (error) {
    if (request.principal.kind === 'anonymous') throw errors.unauthorized();
    throw error;
  }
}
