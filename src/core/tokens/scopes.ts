import { errors } from '../errors.js';

export const PERSONAL_TOKEN_SCOPES = ['api', 'read_api', 'read_package_registry', 'write_package_registry'] as const;
export const DEPLOY_TOKEN_SCOPES = ['read_package_registry', 'write_package_registry'] as const;

export function parseScopes(value: unknown, allowed: readonly string[]): string[] {
  if (!Array.isArray(value) || value.length === 0) throw errors.badRequest('scopes is missing');
  for (const scope of value) {
    if (typeof scope !== 'string' || !allowed.includes(scope)) {
      throw errors.badRequest(`scopes does not have a valid value: ${String(scope)} (allowed: ${allowed.join(', ')})`);
    }
  }
  return [...new Set(value as string[])];
}
