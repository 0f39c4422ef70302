import type { Db, Tx } from '../../storage/db/database.js';
import type { TrustedPublishersTable } from '../../storage/db/schema.js';
import { ancestorsOf } from '../accounts/namespaces.js';
import { patternMatches } from '../packages/protection/protection-rules.js';
import type { VerifiedIdToken } from './id-token-verifier.js';
import { PUBLISHER_LIMITS } from './trusted-publisher-fields.js';

// Which trusted publishers (docs/api.md#trusted-publishers) a verified OIDC ID token matches, and which issuers and
// audiences the token verifier may accept at all. Registering publishers: trusted-publisher-store.ts.

export interface TrustedPublisher {
  id: number;
  project_id: number | null;
  group_id: number | null;
  issuer: string;
  audience: string;
  claims: Record<string, string>;
  package_type: string | null;
  package_name_pattern: string | null;
  created_at: string;
  updated_at: string;
}

type PublisherRow = Omit<TrustedPublishersTable, 'id'> & { id: number };

export function publisherOf(row: PublisherRow): TrustedPublisher {
  return {
    id: row.id,
    project_id: row.project_id,
    group_id: row.group_id,
    issuer: row.issuer,
    audience: row.audience,
    claims: JSON.parse(row.claims) as Record<string, string>,
    package_type: row.package_type,
    package_name_pattern: row.package_name_pattern,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/**
 * A claim's value as a condition compares it: strings as they are, numbers and booleans as JSON
 * spells them (GitLab sends `ref_protected` as "true", other issuers may send true); anything else
 * (absent, null, objects, arrays) matches no condition.
 */
function claimText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/**
 * A condition is an exact value or a `*` glob (the protection rules' matcher), compared case and
 * all: git refs and most claims are case-sensitive, and a condition grants publishing.
 */
export function conditionMatches(condition: string, value: string): boolean {
  return patternMatches(condition, value, { ignoreCase: false });
}

/** Whether every claim condition of the publisher holds for these claims. */
export function claimsMatch(conditions: Record<string, string>, claims: Record<string, unknown>): boolean {
  return Object.entries(conditions).every(([name, condition]) => {
    if (!Object.hasOwn(claims, name)) return false;
    const value = claimText(claims[name]);
    return value !== null && conditionMatches(condition, value);
  });
}

/**
 * Publishers of this issuer whose audience is one of the token's and whose conditions all hold. The
 * audiences are compared here rather than in SQL: a token may list any number of them.
 */
async function publishersMatching(db: Db | Tx, token: VerifiedIdToken): Promise<TrustedPublisher[]> {
  const rows = await publishersOfIssuer(db, token.issuer).selectAll().orderBy('id').execute();
  return rows
    .map(publisherOf)
    .filter((publisher) => token.audiences.includes(publisher.audience) && claimsMatch(publisher.claims, token.claims));
}

/**
 * The publishers naming this issuer. The issuer comes from a token not verified yet: one longer
 * than any stored issuer is looked up as an empty string, which no publisher has.
 */
function publishersOfIssuer(db: Db | Tx, issuer: string) {
  const known = issuer.length <= PUBLISHER_LIMITS.issuerLength ? issuer : '';
  return db.selectFrom('trusted_publishers').where('issuer', '=', known);
}

/** Ids of the groups above the project (its namespace first), or none for a project of a user namespace or one that no longer exists. */
async function groupsAbove(db: Db | Tx, projectId: number): Promise<Set<number>> {
  const project = await db.selectFrom('projects').select('namespace_id').where('id', '=', projectId).executeTakeFirst();
  if (!project) return new Set();
  const namespace = await db.selectFrom('namespaces').selectAll().where('id', '=', project.namespace_id).executeTakeFirstOrThrow();
  if (namespace.kind !== 'group') return new Set();
  return new Set((await ancestorsOf(db, namespace)).map((ns) => ns.id));
}

/**
 * The (publisher, project) pairs this verified token is granted: publishers whose issuer, audience
 * (one of the token's audiences) and every claim condition match. A project's publisher grants that
 * project. A group's publisher (inherited by every project below the group) grants only the project
 * the exchange request names (`project` in the request: id or full path, below that group); without
 * it a group publisher grants nothing. The exchange succeeds only when exactly one pair results
 * ('ambiguous_publisher' otherwise).
 */
export async function matchingPublishers(db: Db, token: VerifiedIdToken, requested: { projectId: number } | null): Promise<Array<{ publisher: TrustedPublisher; projectId: number }>> {
  const publishers = await publishersMatching(db, token);
  const groups = requested && publishers.some((p) => p.group_id !== null) ? await groupsAbove(db, requested.projectId) : new Set<number>();
  const pairs: Array<{ publisher: TrustedPublisher; projectId: number }> = [];
  for (const publisher of publishers) {
    if (publisher.project_id !== null) pairs.push({ publisher, projectId: publisher.project_id });
    else if (requested && publisher.group_id !== null && groups.has(publisher.group_id)) pairs.push({ publisher, projectId: requested.projectId });
  }
  return pairs;
}

/** Whether any publisher names this issuer (exactly as its tokens' `iss`): the verifier fetches keys of no other. */
export async function isTrustedIssuer(db: Db, issuer: string): Promise<boolean> {
  const row = await publishersOfIssuer(db, issuer).select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}

/** The audiences the publishers of this issuer expect, each once: a token must be addressed to one of them. */
export async function audiencesOf(db: Db, issuer: string): Promise<string[]> {
  const rows = await publishersOfIssuer(db, issuer).select('audience').distinct().orderBy('audience').execute();
  return rows.map((row) => row.audience);
}

/**
 * Whether the publisher's optional limits let its token write this package: its type, and its name
 * pattern (compared as protection rules compare names, so a PyPI name matches in any spelling).
 */
export function publisherCovers(publisher: TrustedPublisher, pkg: { format: string; name: string }): boolean {
  if (publisher.package_type !== null && publisher.package_type !== pkg.format) return false;
  return publisher.package_name_pattern === null || patternMatches(publisher.package_name_pattern, pkg.name);
}

/** Notes the publisher's token exchange, in the exchange's transaction: the access review shows its last use. */
export async function recordPublisherUse(trx: Db | Tx, publisherId: number, at: Date): Promise<void> {
  await trx.updateTable('trusted_publishers').set({ last_used_at: at.toISOString() }).where('id', '=', publisherId).execute();
}
