import type { FastifyRequest } from 'fastify';
import { authorizeProject, type Operation } from '../core/accounts/permissions.js';
import type { Project } from '../core/accounts/projects.js';
import { errors, isTroveError } from '../core/errors.js';
import { ANONYMOUS, type Principal } from '../core/tokens/principal.js';
import type { Db } from '../storage/db/database.js';
import type { RepositoryLocation } from './repository-names.js';

// Who may do what on a container repository. Every /v2/ handler asks `authorizeRegistry` before it
// reads or writes; the answer depends on the caller's role in the repository's project, the scopes
// of the credential, and, for a registry token from /jwt/auth, the actions that token was granted.
// The realm (/jwt/auth) asks the same questions through `allowedActions`, so a token never grants
// what /v2/ would refuse, and /v2/ still asks them again: rights can shrink after a token is issued.

export type RegistryAction = 'pull' | 'push' | 'delete';

/** One entry of a registry token's `access` claim (the Docker token protocol's shape). */
export interface RegistryAccess {
  type: 'repository' | 'registry';
  name: string;
  actions: string[];
}

export interface RegistryCaller {
  principal: Principal;
  /** The access a registry token was granted; null when the credential is not a registry token. */
  granted: RegistryAccess[] | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook when the request carried a registry token (Bearer, from /jwt/auth): what it grants. */
    registryGranted: RegistryAccess[] | null;
  }
}

export function registryCallerOf(request: FastifyRequest): RegistryCaller {
  return { principal: request.principal, granted: request.registryGranted ?? null };
}

const OPERATION_OF: Record<RegistryAction, Operation> = { pull: 'read', push: 'publish', delete: 'delete' };

/**
 * A job token works on its own project with its user's rights; on any other project it counts as
 * no credential (public images only), as with GitLab's default job token allowlist, which admits
 * only the job's own project.
 */
function principalFor(principal: Principal, project: Project): Principal {
  return principal.kind === 'job_token' && principal.token.project_id !== project.id ? ANONYMOUS : principal;
}

/**
 * An OIDC token whose trusted publisher is limited to one package type pushes images only when that
 * type is `container` (its name pattern is about package names, not repositories).
 */
function trustedPublisherRefusesPush(principal: Principal, action: RegistryAction): boolean {
  return principal.kind === 'oidc' && action === 'push' && principal.token.package_type !== null && principal.token.package_type !== 'container';
}

/** `*` (what `skopeo delete` asks for) grants every action, as in the Docker token protocol. */
function grants(granted: RegistryAccess[], name: string, action: RegistryAction): boolean {
  return granted.some((entry) => entry.type === 'repository' && entry.name === name && (entry.actions.includes(action) || entry.actions.includes('*')));
}

/** Throws 401/403/404 (core errors) unless the caller may perform `action` on the repository. */
export async function authorizeRegistry(db: Db, caller: RegistryCaller, location: RepositoryLocation, action: RegistryAction): Promise<void> {
  const { project } = location;
  // Rights as they are now first: a stranger learns nothing (404), whatever a token says.
  await authorizeProject(db, principalFor(caller.principal, project), project, OPERATION_OF[action], 'container_registry');
  if (trustedPublisherRefusesPush(caller.principal, action)) throw errors.forbidden('403 Forbidden - this trusted publisher may publish only packages, not container images');
  if (caller.granted !== null && !grants(caller.granted, location.name, action)) {
    throw errors.insufficientScope(`repository:${location.name}:${action === 'pull' ? 'pull' : action === 'push' ? 'pull,push' : '*'}`);
  }
}

/** Whether the principal may perform `action` now (the realm's question: no error, a yes or no). */
export async function mayRegistry(db: Db, principal: Principal, project: Project, action: RegistryAction): Promise<boolean> {
  try {
    await authorizeProject(db, principalFor(principal, project), project, OPERATION_OF[action], 'container_registry');
    return !trustedPublisherRefusesPush(principal, action);
  } catch (error) {
    if (isTroveError(error)) return false;
    throw error;
  }
}

/**
 * The WWW-Authenticate value of a 401 from /v2/: where a client gets a credential for `scope`
 * (`repository:<name>:pull,push`), and `error="insufficient_scope"` when the credential it sent
 * was not enough.
 */
export function registryChallenge(baseUrl: string, scope: string | null, insufficientScope = false): string {
  const parts = [`Bearer realm="${baseUrl}/jwt/auth"`, 'service="container_registry"'];
  if (scope !== null) parts.push(`scope="${scope}"`);
  if (insufficientScope) parts.push('error="insufficient_scope"');
  return parts.join(',');
}
