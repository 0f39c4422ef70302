import type { PersonalAccessToken as PersonalAccessTokenContract, PersonalTokenScope } from '../../contracts/tokens.js';
import type { Db } from '../../storage/db/database.js';
import type { User } from '../accounts/users.js';
import type { AuditLog } from '../audit/audit-log.js';
import { userScope } from '../audit/audit-scope.js';
import type { AuditContext } from '../audit/audit-types.js';
import { nowIso } from '../clock.js';
import { assertValidName } from '../accounts/paths.js';
import { isExpired, parseExpiresAt } from './expiry.js';
import type { PersonalAccessToken } from './principal.js';
import { PERSONAL_TOKEN_SCOPES, parseScopes } from './scopes.js';
import { generateTokenSecret, TOKEN_PREFIX, tokenDigest } from './token-secrets.js';

/** A new token as asked for (a request may leave out any field: the fields are checked here). */
export interface NewPersonalAccessToken {
  name?: string;
  scopes?: readonly string[];
  expires_at?: string | null;
  /** Only the bootstrap path passes a secret (TROVE_ROOT_TOKEN); everything else gets a random one. */
  secret?: string;
}

export async function createPersonalAccessToken(
  db: Db,
  audit: AuditLog,
  ctx: AuditContext,
  user: User,
  input: NewPersonalAccessToken,
): Promise<{ token: PersonalAccessToken; secret: string }> {
  const name = assertValidName(input.name, 'name');
  const scopes = parseScopes(input.scopes, PERSONAL_TOKEN_SCOPES);
  const expiresAt = parseExpiresAt(input.expires_at);
  const secret = input.secret ?? generateTokenSecret(TOKEN_PREFIX.personal);
  return db.transaction().execute(async (tx) => {
    const token = await tx
      .insertInto('personal_access_tokens')
      .values({
        user_id: user.id,
        name,
        scopes: JSON.stringify(scopes),
        token_digest: tokenDigest(secret),
        expires_at: expiresAt,
        revoked: 0,
        last_used_at: null,
        created_at: nowIso(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit.record(tx, ctx, {
      eventName: 'personal_access_token_created',
      scope: userScope(user),
      target: { id: token.id, type: 'PersonalAccessToken', details: name },
      customMessage: `Created personal access token "${name}" with scopes ${scopes.join(', ')}`,
      changes: { scopes: { from: null, to: scopes }, expires_at: { from: null, to: expiresAt } },
    });
    return { token, secret };
  });
}

export async function revokePersonalAccessToken(
  db: Db,
  audit: AuditLog,
  ctx: AuditContext,
  token: PersonalAccessToken,
  owner: User,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('personal_access_tokens').set({ revoked: 1 }).where('id', '=', token.id).execute();
    await audit.record(tx, ctx, {
      eventName: 'personal_access_token_revoked',
      scope: userScope(owner),
      target: { id: token.id, type: 'PersonalAccessToken', details: token.name },
      customMessage: `Revoked personal access token "${token.name}"`,
      changes: { revoked: { from: false, to: true } },
    });
  });
}

/** Personal access tokens by id: one user's, or everyone's (`userId` undefined: an administrator's view). */
export async function listPersonalAccessTokens(db: Db, userId: number | undefined): Promise<PersonalAccessToken[]> {
  let query = db.selectFrom('personal_access_tokens').selectAll().orderBy('id');
  if (userId !== undefined) query = query.where('user_id', '=', userId);
  return query.execute();
}

export async function findPersonalAccessToken(db: Db, id: number): Promise<PersonalAccessToken | undefined> {
  return db.selectFrom('personal_access_tokens').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The token's scopes, as stored (checked against PERSONAL_TOKEN_SCOPES when it was created). */
export function personalTokenScopes(token: PersonalAccessToken): PersonalTokenScope[] {
  return JSON.parse(token.scopes) as PersonalTokenScope[];
}

export function personalAccessTokenToApi(token: PersonalAccessToken, secret?: string): PersonalAccessTokenContract {
  return {
    id: token.id,
    name: token.name,
    revoked: token.revoked === 1,
    created_at: token.created_at,
    scopes: personalTokenScopes(token),
    user_id: token.user_id,
    last_used_at: token.last_used_at,
    active: token.revoked === 0 && !isExpired(token.expires_at),
    expires_at: token.expires_at,
    ...(secret ? { token: secret } : {}),
  };
}
