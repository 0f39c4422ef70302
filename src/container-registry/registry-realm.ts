import { isAdmin, type Principal } from '../core/tokens/principal.js';
import type { Db } from '../storage/db/database.js';
import { mayRegistry, type RegistryAccess, type RegistryAction } from './registry-auth.js';
import { locateRepository } from './repository-names.js';

// What /jwt/auth grants: for each scope a client asks (`repository:<name>:pull,push`,
// `repository:<name>:*`, `registry:catalog:*`), the subset of the asked actions the caller may
// perform now. Asking for more than one may have is not an error (a pull-only credential asking
// pull,push gets pull; a repository the caller may not see gets an entry with no actions): the
// registry refuses what the token lacks when the client tries it.

/** A client asks a handful of scopes per token; more is not a client, and each costs queries. */
const MAX_SCOPES = 16;

const ACTION_OF: Record<string, RegistryAction> = { pull: 'pull', push: 'push', delete: 'delete', '*': 'delete' };

export interface RequestedScope {
  type: string;
  name: string;
  actions: string[];
}

/** `type:name:actions`; the name is what lies between the first and the last colon. */
export function parseScope(scope: string): RequestedScope | null {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last === first) return null;
  const actions = scope.slice(last + 1).split(',').filter((action) => action !== '');
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: [...new Set(actions)] };
}

async function repositoryActions(db: Db, principal: Principal, name: string, asked: string[]): Promise<string[]> {
  const location = await locateRepository(db, name);
  if (location === undefined) return [];
  const allowed: string[] = [];
  for (const action of asked) {
    const needed = ACTION_OF[action];
    if (needed !== undefined && (await mayRegistry(db, principal, location.project, needed))) allowed.push(action);
  }
  return allowed;
}

/** The access claim of the token for `scopes` (already split into separate `scope` parameters). */
export async function grantedAccess(db: Db, principal: Principal, scopes: string[]): Promise<RegistryAccess[]> {
  const access: RegistryAccess[] = [];
  for (const raw of scopes.slice(0, MAX_SCOPES)) {
    const scope = parseScope(raw);
    if (scope === null) continue;
    if (scope.type === 'repository') {
      access.push({ type: 'repository', name: scope.name, actions: await repositoryActions(db, principal, scope.name, scope.actions) });
    } else if (scope.type === 'registry' && scope.name === 'catalog') {
      // The catalog lists every repository of the instance: administrators only.
      access.push({ type: 'registry', name: 'catalog', actions: isAdmin(principal) ? scope.actions.filter((action) => action === '*') : [] });
    }
  }
  return access;
}
