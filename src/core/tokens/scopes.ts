import type { DeployTokenScope, PersonalTokenScope } from '../../contracts/tokens.js';
import { errors } from '../errors.js';

// The scopes a token may be given: each one the API's contract names (a token shows its scopes).
export const PERSONAL_TOKEN_SCOPES = ['api', 'read_api', 'read_package_registry', 'write_package_registry', 'read_registry', 'write_registry'] as const satisfies readonly PersonalTokenScope[];
export const DEPLOY_TOKEN_SCOPES = ['read_package_registry', 'write_package_registry', 'read_registry', 'write_registry'] as const satisfies readonly DeployTokenScope[];

export function parseScopes(value: unknown, allowed: readonly string[]): string[] {
  if (!Array.isArray(value) || value.length === 0) throw errors.badRequest('scopes is missing');
  for (const scope of value) {
    if (typeof scope !== 'string' || !allowed.includes(scope)) {
      throw errors.badRequest(`scopes does not have a valid value: ${String(scope)} (allowed: ${allowed.join(', ')})`);
    }
  }
  return [...new Set(value as string[])];
}
