import type { DeployToken as DeployTokenContract, DeployTokenScope } from '../../contracts/tokens.js';
import type { Db } from '../../storage/db/database.js';
import { equalsIgnoringCase } from '../../storage/db/like.js';
import type { Namespace } from '../accounts/namespaces.js';
import { assertValidName } from '../accounts/paths.js';
import type { Project } from '../accounts/projects.js';
import type { AuditLog } from '../audit/audit-log.js';
import { groupSubject, projectSubject, type SubjectAudit } from '../audit/audit-scope.js';
import type { AuditContext } from '../audit/audit-types.js';
import { nowIso } from '../clock.js';
import { errors } from '../errors.js';
import { isExpired, parseExpiresAt } from './expiry.js';
import type { DeployToken } from './principal.js';
import { DEPLOY_TOKEN_SCOPES, parseScopes } from './scopes.js';
import { generateTokenSecret, TOKEN_PREFIX, tokenDigest } from './token-secrets.js';

/** A deploy token belongs to a group or to a project. */
export type DeployTokenOwner =
  | { type: 'namespace'; namespace: Namespace }
  | { type: 'project'; project: Project; namespace: Namespace };

function ownerId(owner: DeployTokenOwner): number {
  return owner.type === 'namespace' ? owner.namespace.id : owner.project.id;
}

/** Where the events of an owner's deploy tokens are stored. */
export function ownerAudit(owner: DeployTokenOwner): SubjectAudit {
  return owner.type === 'namespace' ? groupSubject(owner.namespace) : projectSubject(owner.project, owner.namespace);
}

export async function createDeployToken(
  db: Db,
  audit: AuditLog,
  ctx: AuditContext,
  owner: DeployTokenOwner,
  input: { name?: string; scopes?: readonly string[]; expires_at?: string | null; username?: string },
): Promise<{ token: DeployToken; secret: string }> {
  const name = assertValidName(input.name, 'name');
  const scopes = parseScopes(input.scopes, DEPLOY_TOKEN_SCOPES);
  const expiresAt = parseExpiresAt(input.expires_at);
  if (input.username !== undefined && (typeof input.username !== 'string' || !/^[a-zA-Z0-9_.+-]{1,255}$/.test(input.username))) {
    throw errors.badRequest('username can contain only letters, digits, "_", "-", "+" and "."');
  }
  const secret = generateTokenSecret(TOKEN_PREFIX.deploy);
  return db.transaction().execute(async (tx) => {
    // A deploy token's username is never a user's (docs/architecture.md#bad-input-and-limits): its events would read as that user's.
    if (typeof input.username === 'string' && (await tx.selectFrom('users').select('id').where(equalsIgnoringCase('username', input.username)).executeTakeFirst())) {
      throw errors.badRequest('username is taken by a user: a deploy token cannot use the username of a user');
    }
    let token = await tx
      .insertInto('deploy_tokens')
      .values({
        owner_type: owner.type,
        owner_id: ownerId(owner),
        name,
        username: typeof input.username === 'string' ? input.username : '',
        scopes: JSON.stringify(scopes),
        token_digest: tokenDigest(secret),
        expires_at: expiresAt,
        revoked: 0,
        last_used_at: null,
        created_at: nowIso(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (token.username === '') {
      token = await tx
        .updateTable('deploy_tokens')
        .set({ username: `trove+deploy-token-${token.id}` })
        .where('id', '=', token.id)
        .returningAll()
        .executeTakeFirstOrThrow();
    }
    const { scope, project } = ownerAudit(owner);
    await audit.record(tx, ctx, {
      eventName: 'deploy_token_created',
      scope,
      project,
      target: { id: token.id, type: 'DeployToken', details: name },
      customMessage: `Created deploy token "${name}" with scopes ${scopes.join(', ')}`,
      changes: { scopes: { from: null, to: scopes }, expires_at: { from: null, to: expiresAt } },
    });
    return { token, secret };
  });
}

export async function listDeployTokens(db: Db, owner: DeployTokenOwner): Promise<DeployToken[]> {
  return db
    .selectFrom('deploy_tokens')
    .selectAll()
    .where('owner_type', '=', owner.type)
    .where('owner_id', '=', ownerId(owner))
    .orderBy('id')
    .execute();
}

export async function findDeployToken(db: Db, owner: DeployTokenOwner, id: number): Promise<DeployToken | undefined> {
  return db
    .selectFrom('deploy_tokens')
    .selectAll()
    .where('owner_type', '=', owner.type)
    .where('owner_id', '=', ownerId(owner))
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function revokeDeployToken(db: Db, audit: AuditLog, ctx: AuditContext, owner: DeployTokenOwner, token: DeployToken): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('deploy_tokens').set({ revoked: 1 }).where('id', '=', token.id).execute();
    const { scope, project } = ownerAudit(owner);
    await audit.record(tx, ctx, {
      eventName: 'deploy_token_revoked',
      scope,
      project,
      target: { id: token.id, type: 'DeployToken', details: token.name },
      customMessage: `Revoked deploy token "${token.name}"`,
      changes: { revoked: { from: false, to: true } },
    });
  });
}

export function deployTokenToApi(token: DeployToken, secret?: string): DeployTokenContract {
  return {
    id: token.id,
    name: token.name,
    username: token.username,
    expires_at: token.expires_at,
    revoked: token.revoked === 1,
    expired: isExpired(token.expires_at),
    // Checked against DEPLOY_TOKEN_SCOPES when the token was created.
    scopes: JSON.parse(token.scopes) as DeployTokenScope[],
    // Refreshed at most once a minute (authenticate.ts): enough to tell a stale token from a used one.
    last_used_at: token.last_used_at,
    created_at: token.created_at,
    ...(secret ? { token: secret } : {}),
  };
}
