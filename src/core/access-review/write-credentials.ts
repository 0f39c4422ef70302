import type { StaleReason, WriteCredential } from '../../contracts/access-review.js';
import type { Db } from '../../storage/db/database.js';
import { AccessLevel } from '../accounts/access-levels.js';
import { isExpired } from '../tokens/expiry.js';
import type { EffectiveAccess, ReviewScope } from './effective-access.js';

// The credentials that can write packages or push container images in a group's projects
// (permissions.ts scopeAllows and roleAllows): personal access tokens with `api`,
// `write_package_registry` or `write_registry` of active users who are developers or above on one
// of the projects, and deploy tokens with `write_package_registry` or `write_registry` of the group, the groups above it (they reach down), its subgroups and its projects. Revoked and
// expired tokens can write nothing and are left out; trusted publishers of the same groups and
// projects, whose exchanged tokens publish. Each source below lists one kind; a new kind of
// credential that can write adds its own.

export const STALE_AFTER_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Scopes that let a personal access token publish a package or push an image (permissions.ts scopeAllows). */
const PERSONAL_WRITE_SCOPES = ['api', 'write_package_registry', 'write_registry'];
const DEPLOY_WRITE_SCOPES = ['write_package_registry', 'write_registry'];

/**
 * Stale: last used more than 90 days ago, or never used and created more than 90 days ago. A token
 * records its use at most once a minute (authenticate.ts), far finer than 90 days.
 */
export function staleReason(lastUsedAt: string | null, createdAt: string, now: number): StaleReason | null {
  const cutoff = now - STALE_AFTER_DAYS * DAY_MS;
  if (lastUsedAt !== null) return Date.parse(lastUsedAt) < cutoff ? 'unused_90_days' : null;
  return Date.parse(createdAt) < cutoff ? 'never_used_90_days' : null;
}

type Row = Omit<WriteCredential, 'stale' | 'stale_reason'>;

/** One kind of credential that can write in the scope's projects. */
type CredentialSource = (db: Db, scope: ReviewScope, access: EffectiveAccess[], now: number) => Promise<Row[]>;

const personalAccessTokens: CredentialSource = async (db, _scope, access, now) => {
  const writers = new Map<number, string>();
  for (const entry of access) {
    if (entry.accessLevel >= AccessLevel.developer && entry.user.state === 'active') writers.set(entry.user.id, entry.user.username);
  }
  if (writers.size === 0) return [];
  const tokens = await db.selectFrom('personal_access_tokens').selectAll().where('user_id', 'in', [...writers.keys()]).where('revoked', '=', 0).orderBy('id').execute();
  return tokens
    .map((t) => ({ ...t, scopeList: JSON.parse(t.scopes) as string[] }))
    .filter((t) => !isExpired(t.expires_at, now) && t.scopeList.some((s) => PERSONAL_WRITE_SCOPES.includes(s)))
    .map((t) => ({
      kind: 'personal_access_token' as const,
      id: t.id,
      name: t.name,
      owner: { type: 'user' as const, id: t.user_id, path: writers.get(t.user_id)! },
      scopes: t.scopeList,
      created_at: t.created_at,
      expires_at: t.expires_at,
      last_used_at: t.last_used_at,
    }));
};

/**
 * The owners whose deploy tokens and trusted publishers reach the scope's projects: the group, the
 * groups above it (they reach down), its subgroups and its projects; `ownerOf` names one for the review.
 */
function reachingOwners(scope: ReviewScope) {
  const groupIds = [...scope.ancestorIds, ...scope.subtreeIds];
  const projectPaths = new Map(scope.projects.map((p) => [p.id, p.full_path]));
  const ownerOf = (kind: 'group' | 'project', id: number): Row['owner'] =>
    kind === 'group' ? { type: 'group', id, path: scope.namespaces.get(id)!.full_path } : { type: 'project', id, path: projectPaths.get(id)! };
  return { groupIds, projectIds: [...projectPaths.keys()], ownerOf };
}

const deployTokens: CredentialSource = async (db, scope, _access, now) => {
  const { groupIds, projectIds, ownerOf } = reachingOwners(scope);
  const tokens = await db
    .selectFrom('deploy_tokens')
    .selectAll()
    .where('revoked', '=', 0)
    .where((eb) =>
      eb.or([
        eb.and([eb('owner_type', '=', 'namespace'), eb('owner_id', 'in', groupIds)]),
        ...(projectIds.length > 0 ? [eb.and([eb('owner_type', '=', 'project'), eb('owner_id', 'in', projectIds)])] : []),
      ]),
    )
    .orderBy('id')
    .execute();
  return tokens
    .map((t) => ({ ...t, scopeList: JSON.parse(t.scopes) as string[] }))
    .filter((t) => !isExpired(t.expires_at, now) && t.scopeList.some((s) => DEPLOY_WRITE_SCOPES.includes(s)))
    .map((t) => ({
      kind: 'deploy_token' as const,
      id: t.id,
      name: t.name,
      owner: ownerOf(t.owner_type === 'namespace' ? 'group' : 'project', t.owner_id),
      scopes: t.scopeList,
      created_at: t.created_at,
      expires_at: t.expires_at,
      last_used_at: t.last_used_at,
    }));
};

/** What a trusted publisher's exchanged token may write: packages, images, or both when it names no type. */
function publisherScopes(packageType: string | null): string[] {
  if (packageType === null) return ['write_package_registry', 'write_registry'];
  return [packageType === 'container' ? 'write_registry' : 'write_package_registry'];
}

/**
 * Trusted publishers (docs/api.md#trusted-publishers) of the group, the groups above it (inherited
 * down), its subgroups and its projects: named by issuer and claim conditions, last used at their
 * last token exchange, never expiring.
 */
const trustedPublishers: CredentialSource = async (db, scope) => {
  const { groupIds, projectIds, ownerOf } = reachingOwners(scope);
  const rows = await db
    .selectFrom('trusted_publishers')
    .selectAll()
    .where((eb) => eb.or([eb('group_id', 'in', groupIds), ...(projectIds.length > 0 ? [eb('project_id', 'in', projectIds)] : [])]))
    .orderBy('id')
    .execute();
  return rows.map((p) => ({
    kind: 'trusted_publisher' as const,
    id: p.id,
    name: `${p.issuer} ${Object.entries(JSON.parse(p.claims) as Record<string, string>)
      .map(([claim, condition]) => `${claim}=${condition}`)
      .join(' ')}`,
    owner: p.group_id !== null ? ownerOf('group', p.group_id) : ownerOf('project', p.project_id!),
    scopes: publisherScopes(p.package_type),
    created_at: p.created_at,
    expires_at: null,
    last_used_at: p.last_used_at,
  }));
};

/** Every kind of credential that can write packages or push images. */
const CREDENTIAL_SOURCES: CredentialSource[] = [personalAccessTokens, deployTokens, trustedPublishers];

export async function writeCredentials(db: Db, scope: ReviewScope, access: EffectiveAccess[], now: number): Promise<WriteCredential[]> {
  const rows: Row[] = [];
  for (const source of CREDENTIAL_SOURCES) rows.push(...(await source(db, scope, access, now)));
  return rows.map((row) => {
    const reason = staleReason(row.last_used_at, row.created_at, now);
    return { ...row, stale: reason !== null, stale_reason: reason };
  });
}
