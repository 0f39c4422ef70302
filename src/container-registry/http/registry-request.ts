import type { FastifyRequest } from 'fastify';
import { errors } from '../../core/errors.js';
import type { AppContext } from '../../http/app-context.js';
import { authorizeRegistry, registryCallerOf, type RegistryAction } from '../registry-auth.js';
import type { RegistryService } from '../registry-service.js';
import { isRepositoryName, locateRepository, type RepositoryLocation } from '../repository-names.js';
import { ociError } from '../oci-errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** What a /v2/ request is about: the challenge of a 401 and the push_denied event use it. */
    registryTarget: RegistryTarget | null;
  }
}

export interface RegistryTarget {
  name: string;
  action: RegistryAction;
  /** `<name>:<tag>`, `<name>@<digest>` or the name: what a refused write tried to change. */
  what: string;
  location: RepositoryLocation | null;
}

/** Everything a /v2/ handler needs. */
export interface RegistryEnv {
  ctx: AppContext;
  registry: RegistryService;
}

/**
 * The repository a request names, once the caller may do `action` on it. An unknown project is a
 * 401 for an anonymous caller (as a private one is) and NAME_UNKNOWN otherwise: existence does not leak.
 */
export async function authorizedRepository(env: RegistryEnv, request: FastifyRequest, name: string, action: RegistryAction, what = name): Promise<RepositoryLocation> {
  request.registryTarget = { name, action, what, location: null };
  if (!isRepositoryName(name)) throw ociError('NAME_INVALID', 'invalid repository name');
  const location = await locateRepository(env.ctx.db, name);
  if (!location) {
    if (request.principal.kind === 'anonymous') throw errors.unauthorized();
    throw ociError('NAME_UNKNOWN', 'repository name not known to registry');
  }
  request.registryTarget.location = location;
  await authorizeRegistry(env.ctx.db, registryCallerOf(request), location, action);
  return location;
}

/** `n` and `last` of a paginated list: n a non-negative integer (capped), last any name. */
export function pageQuery(query: unknown): { n: number | null; last: string | null } {
  const q = (query ?? {}) as Record<string, unknown>;
  const last = typeof q.last === 'string' && q.last !== '' ? q.last : null;
  if (q.n === undefined || q.n === '') return { n: null, last };
  if (typeof q.n !== 'string' || !/^\d{1,6}$/.test(q.n)) throw ociError('UNSUPPORTED', 'n must be a non-negative integer', 400);
  return { n: Math.min(Number(q.n), 10_000), last };
}

/** The Link header of the next page: relative, as distribution sends it. */
export function nextLink(path: string, last: string, n: number): string {
  return `<${path}?last=${encodeURIComponent(last)}&n=${n}>; rel="next"`;
}
