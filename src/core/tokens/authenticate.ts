import { sql } from 'kysely';
import type { User } from '../accounts/users.js';
import type { Db } from '../../storage/db/database.js';
import { findRow, getRow, selectFixedShape } from '../../storage/db/row-lookup.js';
import { nowIso } from '../clock.js';
import { isExpired } from './expiry.js';
import { oidcTokenExpired } from '../oidc/oidc-tokens.js';
import type { DeployToken, JobToken, OidcToken, PersonalAccessToken, Principal } from './principal.js';
import { digestsEqual, TOKEN_PREFIX, tokenDigest } from './token-secrets.js';

export type AuthOutcome =
  | { ok: true; principal: Principal }
  | { ok: false; reason: string; tokenType: string | null; tokenId: number | null; userId: number | null; username: string | null };

const MAX_TOKEN_LENGTH = 512;

// last_used_at is bookkeeping, not audit: refresh it at most once a minute per token.
const LAST_USED_RESOLUTION_MS = 60_000;

function stale(lastUsedAt: string | null): boolean {
  return lastUsedAt === null || Date.now() - Date.parse(lastUsedAt) > LAST_USED_RESOLUTION_MS;
}

function failure(reason: string, tokenType: string | null, tokenId: number | null = null, userId: number | null = null, username: string | null = null): AuthOutcome {
  return { ok: false, reason, tokenType, tokenId, userId, username };
}

/** Resolves a token secret (from any accepted header) to the principal it stands for. */
export async function authenticateToken(db: Db, secret: string): Promise<AuthOutcome> {
  // No Trove token is this long; refuse without a lookup (the attempt is still audited).
  if (secret.length > MAX_TOKEN_LENGTH) return failure('token too long', null);
  const digest = tokenDigest(secret);
  if (secret.startsWith(TOKEN_PREFIX.deploy)) return authenticateDeployToken(db, digest);
  if (secret.startsWith(TOKEN_PREFIX.job)) return authenticateJobToken(db, digest);
  if (secret.startsWith(TOKEN_PREFIX.oidc)) return authenticateOidcToken(db, digest);
  return authenticatePersonalToken(db, digest);
}

/** Token types as the audit log names them. */
export type TokenType = 'PersonalAccessToken' | 'DeployToken' | 'CiJobToken' | 'OidcToken';

/**
 * The principal of a token known by its id, checked as when its secret is presented (revoked,
 * expired, user blocked): for credentials that stand behind another one, like a registry token.
 */
export async function authenticateTokenById(db: Db, type: TokenType, id: number): Promise<AuthOutcome> {
  switch (type) {
    case 'PersonalAccessToken': {
      const token = await findRow(db, 'personal_access_tokens', { id });
      return token ? personalTokenOutcome(db, token, await getRow(db, 'users', { id: token.user_id })) : failure('token not found', type);
    }
    case 'DeployToken': {
      const token = await findRow(db, 'deploy_tokens', { id });
      return token ? deployTokenOutcome(db, token) : failure('token not found', type);
    }
    case 'CiJobToken': {
      const token = await findRow(db, 'job_tokens', { id });
      return token ? jobTokenOutcome(db, token) : failure('token not found', type);
    }
    case 'OidcToken': {
      const token = await findRow(db, 'oidc_tokens', { id });
      return token ? oidcTokenOutcome(db, token) : failure('token not found', type);
    }
  }
}

/** Every column of a user, as the token lookup below selects them beside the token's (prefixed, as both tables have an id). */
const USER_COLUMNS = ['id', 'username', 'name', 'email', 'password_hash', 'is_admin', 'state', 'created_at'] as const satisfies readonly (keyof User)[];
// A column added to users must be added above, or this stops compiling.
type UserColumnLeftOut = Exclude<keyof User, (typeof USER_COLUMNS)[number]>;
const userColumnsComplete: [UserColumnLeftOut] extends [never] ? true : never = true;

/** A personal access token by its digest, with its user: one query, as every request with a token makes it. */
async function personalTokenWithUser(db: Db, digest: string): Promise<{ token: PersonalAccessToken; user: User } | undefined> {
  const [row] = await selectFixedShape<Record<string, unknown>>(
    db,
    'personal access token with its user',
    () =>
      db
        .selectFrom('personal_access_tokens')
        .innerJoin('users', 'users.id', 'personal_access_tokens.user_id')
        .selectAll('personal_access_tokens')
        .select(USER_COLUMNS.map((column) => sql.ref(`users.${column}`).as(`user__${column}`)))
        .where('personal_access_tokens.token_digest', '=', ''),
    [digest],
  );
  if (!row) return undefined;
  const user: Record<string, unknown> = {};
  const token: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith('user__')) user[key.slice('user__'.length)] = value;
    else token[key] = value;
  }
  return { token: token as PersonalAccessToken, user: user as User };
}

async function authenticatePersonalToken(db: Db, digest: string): Promise<AuthOutcome> {
  const found = await personalTokenWithUser(db, digest);
  if (!found || !digestsEqual(found.token.token_digest, digest)) return failure('token not found', 'PersonalAccessToken');
  return personalTokenOutcome(db, found.token, found.user);
}

async function personalTokenOutcome(db: Db, token: PersonalAccessToken, user: User): Promise<AuthOutcome> {
  const known = (reason: string) => failure(reason, 'PersonalAccessToken', token.id, user.id, user.username);
  if (token.revoked) return known('token revoked');
  if (isExpired(token.expires_at)) return known('token expired');
  if (user.state !== 'active') return known(`user ${user.state}`);
  if (stale(token.last_used_at)) {
    await db.updateTable('personal_access_tokens').set({ last_used_at: nowIso() }).where('id', '=', token.id).execute();
  }
  return { ok: true, principal: { kind: 'user', user, token, scopes: JSON.parse(token.scopes) as string[] } };
}

async function authenticateDeployToken(db: Db, digest: string): Promise<AuthOutcome> {
  const token = await findRow(db, 'deploy_tokens', { token_digest: digest });
  if (!token || !digestsEqual(token.token_digest, digest)) return failure('token not found', 'DeployToken');
  return deployTokenOutcome(db, token);
}

async function deployTokenOutcome(db: Db, token: DeployToken): Promise<AuthOutcome> {
  if (token.revoked) return failure('token revoked', 'DeployToken', token.id, null, token.username);
  if (isExpired(token.expires_at)) return failure('token expired', 'DeployToken', token.id, null, token.username);
  const owner =
    token.owner_type === 'namespace'
      ? await db.selectFrom('namespaces').select('full_path').where('id', '=', token.owner_id).executeTakeFirstOrThrow()
      : await db.selectFrom('projects').select('full_path').where('id', '=', token.owner_id).executeTakeFirstOrThrow();
  if (stale(token.last_used_at)) {
    await db.updateTable('deploy_tokens').set({ last_used_at: nowIso() }).where('id', '=', token.id).execute();
  }
  return { ok: true, principal: { kind: 'deploy_token', token, ownerPath: owner.full_path, scopes: JSON.parse(token.scopes) as string[] } };
}

async function authenticateJobToken(db: Db, digest: string): Promise<AuthOutcome> {
  const token = await db.selectFrom('job_tokens').selectAll().where('token_digest', '=', digest).executeTakeFirst();
  if (!token || !digestsEqual(token.token_digest, digest)) return failure('token not found', 'CiJobToken');
  return jobTokenOutcome(db, token);
}

async function jobTokenOutcome(db: Db, token: JobToken): Promise<AuthOutcome> {
  const user = await getRow(db, 'users', { id: token.user_id });
  if (isExpired(token.expires_at)) return failure('token expired', 'CiJobToken', token.id, user.id, user.username);
  if (user.state !== 'active') return failure(`user ${user.state}`, 'CiJobToken', token.id, user.id, user.username);
  const project = await db.selectFrom('projects').select('full_path').where('id', '=', token.project_id).executeTakeFirstOrThrow();
  return { ok: true, principal: { kind: 'job_token', token, user, projectPath: project.full_path } };
}

async function authenticateOidcToken(db: Db, digest: string): Promise<AuthOutcome> {
  const token = await findRow(db, 'oidc_tokens', { token_digest: digest });
  if (!token || !digestsEqual(token.token_digest, digest)) return failure('token not found', 'OidcToken');
  return oidcTokenOutcome(db, token);
}

async function oidcTokenOutcome(db: Db, token: OidcToken): Promise<AuthOutcome> {
  // The subject names the CI identity (e.g. project_path:acme/app:ref_type:branch:ref:main) in the failure's audit event.
  if (oidcTokenExpired(token)) return failure('token expired', 'OidcToken', token.id, null, token.subject);
  const project = await db.selectFrom('projects').select('full_path').where('id', '=', token.project_id).executeTakeFirstOrThrow();
  return { ok: true, principal: { kind: 'oidc', token, projectPath: project.full_path } };
}
