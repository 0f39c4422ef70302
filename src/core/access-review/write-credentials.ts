import type { StaleReason, WriteCredential } from '../../contracts/access-review.js';
import type { Db } from '../../storage/db/database.js';
import { AccessLevel } from '../accounts/access-levels.js';
import { isExpired } from '../tokens/expiry.js';
import type { EffectiveAccess, ReviewScope } from './effective-access.js';

// The credentials that can write packages or push container images in a group's projects
// (permissions.ts scopeAllows and roleAllows): personal access tokens with `api`,
// `write_package_registry` or `write_registry` of active users who are developers or above on one
// of the projects, and deploy tokens with `write_package_registry` or `write_registry` of the group, the groups above it (they reach down), its subgroups and its projects. Revoked and
// expired tokens can write nothing and are left out; OIDC trusted publishers of the projects and
// of the groups above and below. Each source below lists one kind; a new kind of credential that can
// write adds its own.

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

const deployTokens: CredentialSource = async (db, scope, _access, now) => {
  const groupIds = [...scope.ancestorIds, ...scope.subtreeIds];
  const projectPaths = new Map(scope.projects.map((p) => [p.id, p.full_path]));
  const tokens = await db
    .selectFrom('deploy_tokens')
    .selectAll()
    .where('revoked', '=', 0)
    .where((eb) =>
      eb.or([
        eb.and([eb('owner_type', '=', 'namespace'), eb('owner_id', 'in', groupIds)]),
        ...(projectPaths.size > 0 ? [eb.and([eb('owner_type', '=', 'project'), eb('owner_id', 'in', [...projectPaths.keys()])])] : []),
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
      owner:
        t.owner_type === 'namespace'
          ? { type: 'group' as const, id: t.owner_id, path: scope.namespaces.get(t.owner_id)!.full_path }
          : { type: 'project' as const, id: t.owner_id, path: projectPaths.get(t.owner_id)! },
      scopes: t.scopeList,
      created_at: t.created_at,
      expires_at: t.expires_at,
      last_used_at: t.last_used_at,
    }));
};

/** What a publisher's tokens may do: publish, within its package type and name pattern if it has them. */
function publisherScopes(publisher: { package_type: string | null; package_name_pattern: string | null }): string[] {
  return [
    'publish',
    ...(publisher.package_type !== null ? [`package_type:${publisher.package_type}`] : []),
    ...(publisher.package_name_pattern !== null ? [`package_name_pattern:${publisher.package_name_pattern}`] : []),
  ];
}

/**
 * OIDC trusted publishers (docs/api.md#trusted-publishers): whoever presents an ID token they match publishes. A project's
 * own, and a group's (inherited by every project below, so those of the groups above count too);
 * `last_used_at` is their last token exchange (a minted token is kept a day after it expires).
 */
const trustedPublishers: CredentialSource = async (db, scope) => {
  const groupIds = [...scope.ancestorIds, ...scope.subtreeIds];
  const projectPaths = new Map(scope.projects.map((p) => [p.id, p.full_path]));
  const publishers = await db
    .selectFrom('trusted_publishers')
    .selectAll('trusted_publishers')
    .select((eb) => eb.selectFrom('oidc_tokens').select((t) => t.fn.max('oidc_tokens.created_at').as('last')).whereRef('oidc_tokens.trusted_publisher_id', '=', 'trusted_publishers.id').as('last_used_at'))
    .where((eb) => eb.or([eb('group_id', 'in', groupIds), ...(projectPaths.size > 0 ? [eb('project_id', 'in', [...projectPaths.keys()])] : [])]))
    .orderBy('id')
    .execute();
  return publishers.map((p) => ({
    kind: 'trusted_publisher' as const,
    id: p.id,
    name: `${p.issuer} ${Object.entries(JSON.parse(p.claims) as Record<string, string>).map(([claim, value]) => `${claim}=${value}`).join(', ')}`,
    owner:
      p.project_id !== null
        ? { type: 'project' as const, id: p.project_id, path: projectPaths.get(p.project_id)! }
        : { type: 'group' as const, id: p.group_id!, path: scope.namespaces.get(p.group_id!)!.full_path },
    scopes: publisherScopes(p),
    created_at: p.created_at,
    expires_at: null,
    last_used_at: p.last_used_at ?? null,
  }));
};

/** Every kind of credential that can write packages (docs/api.md#access-review). */
const CREDENTIAL_SOURCES: CredentialSource[] = [personalAccessTokens, deployTokens, trustedPublishers];

export async function writeCredentials(db: Db, scope: ReviewScope, access: EffectiveAccess[], now: number): Promise<WriteCredential[]> {
  const rows: Row[] = [];
  for (const source of CREDENTIAL_SOURCES) rows.push(...(await source(db, scope, access, now)));
  return rows.map((row) => {
    const reason = staleReason(row.last_used_at, row.created_at, now);
    return { ...row, stale: reason !== null, stale_reason: reason };
  });
}
