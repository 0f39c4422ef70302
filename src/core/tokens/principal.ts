import type { DeployTokensTable, JobTokensTable, OidcTokensTable, PersonalAccessTokensTable } from '../../storage/db/schema.js';
import type { User } from '../accounts/users.js';

export type PersonalAccessToken = Omit<PersonalAccessTokensTable, 'id'> & { id: number };
export type DeployToken = Omit<DeployTokensTable, 'id'> & { id: number };
export type JobToken = Omit<JobTokensTable, 'id'> & { id: number };
export type OidcToken = Omit<OidcTokensTable, 'id'> & { id: number };

/** Who is calling, and with which credential. Resolved once per request by the auth hook. */
export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'user'; user: User; token: PersonalAccessToken | null; scopes: string[] }
  | { kind: 'deploy_token'; token: DeployToken; ownerPath: string; scopes: string[] }
  | { kind: 'job_token'; token: JobToken; user: User; projectPath: string }
  /** A token minted from a CI job's OIDC ID token (trusted publishing): one project, developer level, no user. */
  | { kind: 'oidc'; token: OidcToken; projectPath: string };

export const ANONYMOUS: Principal = { kind: 'anonymous' };

/** The user behind the credential, if any (deploy tokens have none). */
export function principalUser(principal: Principal): User | null {
  return principal.kind === 'user' || principal.kind === 'job_token' ? principal.user : null;
}

export function isAdmin(principal: Principal): boolean {
  return principal.kind === 'user' && principal.user.is_admin === 1 && principalHasScope(principal, 'api');
}

/** Whether a personal access token (or session, which has every scope) carries `scope`. */
export function principalHasScope(principal: Principal, scope: string): boolean {
  return principal.kind === 'user' && (principal.token === null || principal.scopes.includes(scope));
}
