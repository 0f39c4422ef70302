import { errors } from '../errors.js';
import { checkNamePattern } from '../packages/protection/protection-rule-store.js';

// What a trusted publisher may say (docs/api.md#trusted-publishers): checked when it is
// saved, so that matching (trusted-publishers.ts) never meets a publisher that trusts too much.

/** The fields a publisher's API takes; `package_type` is checked against the formats by the route's schema. */
export interface PublisherFields {
  issuer: string;
  audience: string;
  claims: Record<string, string>;
  package_type: string | null;
  package_name_pattern: string | null;
}

export const PUBLISHER_LIMITS = {
  /** Publishers of one project or one group. */
  perOwner: 100,
  conditions: 20,
  claimNameLength: 128,
  conditionLength: 255,
  issuerLength: 255,
  audienceLength: 255,
} as const;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * An https URL without credentials, query or fragment, written as URL parsing writes it (lower-case
 * host, no default port): the issuer is compared with the token's `iss` byte for byte, so a spelling
 * no token carries would silently never match. A trailing slash is kept as given, since issuers
 * differ there (GitLab and GitHub have none, some identity providers do). `http://` only on
 * loopback and only with `allowInsecure` (config.oidc.allowInsecureIssuers,
 * TROVE_OIDC_ALLOW_INSECURE_ISSUERS=1: a CI test's own issuer).
 */
export function checkIssuer(issuer: string, allowInsecure: boolean): void {
  const refuse = (why: string) => errors.badRequest(`issuer ${why}`);
  if (issuer.length === 0 || issuer.length > PUBLISHER_LIMITS.issuerLength) throw refuse(`must be 1 to ${PUBLISHER_LIMITS.issuerLength} characters`);
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw refuse('must be an https URL');
  }
  if (url.protocol === 'http:') {
    if (!allowInsecure || !LOOPBACK_HOSTS.has(url.hostname)) throw refuse('must be an https URL (http only on a loopback address with TROVE_OIDC_ALLOW_INSECURE_ISSUERS=1)');
  } else if (url.protocol !== 'https:') {
    throw refuse('must be an https URL');
  }
  if (url.username || url.password || url.search || url.hash) throw refuse('must not have credentials, a query or a fragment');
  const written = url.pathname === '/' && !issuer.endsWith('/') ? url.href.slice(0, -1) : url.href;
  if (written !== issuer) throw refuse(`must be written exactly as its tokens' iss claim: ${written}`);
}

/** Claims that name one repository or namespace of an issuer whose tokens anyone can obtain. */
const IDENTIFYING_CLAIMS = {
  gitlab: ['project_path', 'namespace_path'],
  github: ['repository', 'repository_owner'],
} as const;

function issuerKind(issuer: string): keyof typeof IDENTIFYING_CLAIMS | 'other' {
  const url = new URL(issuer);
  if (url.hostname === 'gitlab.com' || url.hostname.startsWith('gitlab.')) return 'gitlab';
  if (url.hostname === 'token.actions.githubusercontent.com' || url.pathname.startsWith('/_services/token')) return 'github';
  return 'other';
}

/**
 * Whether a condition pins something down: an exact value, or a glob whose fixed start reaches a
 * `/` ("acme/*" names the acme namespace; "acme*" would also match "acme-evil/...", "*" everything).
 */
export function conditionIdentifies(condition: string): boolean {
  const star = condition.indexOf('*');
  return star === -1 || condition.slice(0, star).includes('/');
}

/**
 * A non-empty object of claim name → condition, with at least one condition that identifies the
 * publisher's repository: on GitLab `project_path` or `namespace_path`, on GitHub Actions
 * `repository` or `repository_owner`, elsewhere any condition that is not all wildcards. Without
 * it the publisher would match every CI job of a public issuer.
 */
export function checkClaims(issuer: string, claims: Record<string, unknown>): Record<string, string> {
  const entries = Object.entries(claims);
  if (entries.length === 0) throw errors.badRequest('claims must have at least one condition');
  if (entries.length > PUBLISHER_LIMITS.conditions) throw errors.badRequest(`claims can have at most ${PUBLISHER_LIMITS.conditions} conditions`);
  for (const [name, condition] of entries) {
    if (name.length === 0 || name.length > PUBLISHER_LIMITS.claimNameLength || !/^[\x21-\x7e]+$/.test(name)) {
      throw errors.badRequest(`claims: a claim name must be 1 to ${PUBLISHER_LIMITS.claimNameLength} printable ASCII characters`);
    }
    if (typeof condition !== 'string' || condition.length === 0 || condition.length > PUBLISHER_LIMITS.conditionLength || /[\x00-\x1f\x7f]/.test(condition)) {
      throw errors.badRequest(`claims.${name} must be a string of 1 to ${PUBLISHER_LIMITS.conditionLength} characters without control characters`);
    }
  }
  const conditions = claims as Record<string, string>;
  const kind = issuerKind(issuer);
  if (kind === 'other') {
    if (!entries.some(([, condition]) => /[^*]/.test(condition as string))) throw errors.badRequest('claims must have a condition that is not only wildcards');
  } else {
    const names = IDENTIFYING_CLAIMS[kind];
    if (!names.some((name) => Object.hasOwn(conditions, name) && conditionIdentifies(conditions[name]))) {
      throw errors.badRequest(`claims must name the repository: ${names.join(' or ')}, exact or with a wildcard only after a "/"`);
    }
  }
  return Object.fromEntries(entries.map(([name, condition]) => [name, condition as string]));
}

function checkAudience(audience: string): void {
  if (audience.length === 0 || audience.length > PUBLISHER_LIMITS.audienceLength || /[\x00-\x20\x7f]/.test(audience)) {
    throw errors.badRequest(`audience must be 1 to ${PUBLISHER_LIMITS.audienceLength} characters without spaces or control characters`);
  }
}

/** The fields as saved, or 400 naming the first thing wrong. */
export function validatedPublisher(fields: PublisherFields, options: { allowInsecureIssuers: boolean }): PublisherFields {
  checkIssuer(fields.issuer, options.allowInsecureIssuers);
  checkAudience(fields.audience);
  const claims = checkClaims(fields.issuer, fields.claims);
  if (fields.package_name_pattern !== null) checkNamePattern(fields.package_name_pattern);
  return { ...fields, claims };
}
