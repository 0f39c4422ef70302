import type { Db } from '../../storage/db/database.js';
import type { ActorSnapshot, PipelineInfo } from '../audit/audit-types.js';
import type { OidcToken } from '../tokens/principal.js';
import { generateTokenSecret, TOKEN_PREFIX, tokenDigest } from '../tokens/token-secrets.js';

/** A minted token publishes for 15 minutes, long enough for one CI job's publish step. */
export const OIDC_TOKEN_LIFETIME_MS = 15 * 60 * 1000;

/**
 * Claims that say which pipeline, repository and commit a token came from (GitLab CI and GitHub
 * Actions spellings). They, and the claims a publisher matched, are kept with the minted token for
 * the audit actor; nothing else of the ID token is (user e-mail addresses and the like stay out).
 */
const IDENTIFYING_CLAIMS = [
  'sub',
  // GitLab CI
  'project_id', 'project_path', 'namespace_path', 'pipeline_id', 'pipeline_source', 'job_id', 'ref', 'ref_type', 'ref_protected',
  'sha', 'environment', 'ci_config_ref_uri', 'runner_environment',
  // GitHub Actions
  'repository', 'repository_id', 'repository_owner', 'workflow', 'workflow_ref', 'job_workflow_ref', 'run_id', 'run_number', 'run_attempt', 'event_name',
] as const;

/** A claim value longer than this is cut (a claims column must not grow with whatever an issuer puts in a token). */
const MAX_CLAIM_LENGTH = 512;

/** The parts of a verified ID token a minted token keeps (VerifiedIdToken of id-token-verifier.ts). */
export interface VerifiedIdentity {
  issuer: string;
  subject: string;
  claims: Record<string, unknown>;
}

/** The parts of the matched publisher a minted token keeps (TrustedPublisher of trusted-publishers.ts). */
export interface MatchedPublisher {
  id: number;
  claims: Record<string, string>;
  package_type: string | null;
  package_name_pattern: string | null;
}

/** The identifying claims and those the publisher matched, as strings, numbers or booleans. */
export function claimsToKeep(claims: Record<string, unknown>, matched: Record<string, string>): Record<string, string | number | boolean> {
  const kept: Record<string, string | number | boolean> = {};
  for (const name of [...IDENTIFYING_CLAIMS, ...Object.keys(matched)]) {
    const value = claims[name];
    if (typeof value === 'string') kept[name] = value.slice(0, MAX_CLAIM_LENGTH);
    else if (typeof value === 'number' || typeof value === 'boolean') kept[name] = value;
  }
  return kept;
}

/** Mints the `trove_oidc_…` token inside the exchange's transaction; the secret is returned once and stored only as its digest. */
export async function mintOidcToken(
  trx: Db,
  input: { projectId: number; publisher: MatchedPublisher; verified: VerifiedIdentity },
): Promise<{ token: OidcToken; secret: string }> {
  const secret = generateTokenSecret(TOKEN_PREFIX.oidc);
  const createdAt = new Date();
  const token = await trx
    .insertInto('oidc_tokens')
    .values({
      token_digest: tokenDigest(secret),
      project_id: input.projectId,
      trusted_publisher_id: input.publisher.id,
      issuer: input.verified.issuer,
      subject: input.verified.subject,
      claims: JSON.stringify(claimsToKeep(input.verified.claims, input.publisher.claims)),
      package_type: input.publisher.package_type,
      package_name_pattern: input.publisher.package_name_pattern,
      created_at: createdAt.toISOString(),
      expires_at: new Date(createdAt.getTime() + OIDC_TOKEN_LIFETIME_MS).toISOString(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { token, secret };
}

export function oidcClaimsOf(token: OidcToken): Record<string, string | number | boolean> {
  return JSON.parse(token.claims) as Record<string, string | number | boolean>;
}

/** The audit actor of an OIDC token (docs/api.md#trusted-publishing-the-token-exchange): issuer, subject, publisher and the kept claims; no user. */
export function oidcActorOf(token: OidcToken, projectPath: string): ActorSnapshot {
  return {
    type: 'oidc',
    user_id: null,
    username: null,
    token_id: token.id,
    token_name: `trusted publisher ${token.trusted_publisher_id}`,
    token_owner_path: projectPath,
    issuer: token.issuer,
    subject: token.subject,
    trusted_publisher_id: token.trusted_publisher_id,
    claims: oidcClaimsOf(token),
  };
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null;
}

function positiveInt(value: unknown): number | null {
  const n = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** A git ref as GitLab's `ref` claim gives it (a branch or tag name) or GitHub's (refs/heads/main). */
function shortRef(ref: string): string {
  return ref.replace(/^refs\/(heads|tags)\//, '');
}

/**
 * The pipeline of an OIDC-authenticated request, from the token's claims: GitLab CI names its
 * pipeline and job; GitHub Actions its run (no job id) and workflow. Any other issuer's token
 * names no pipeline Trove can point at, so none is recorded (the actor still carries its claims).
 */
export function pipelineOfOidc(token: OidcToken): PipelineInfo | null {
  const claims = oidcClaimsOf(token);
  const ref = text(claims.ref);
  const sha = text(claims.sha);
  const gitlabPipeline = positiveInt(claims.pipeline_id);
  const projectPath = text(claims.project_path);
  if (gitlabPipeline !== null && projectPath !== null) {
    return {
      id: gitlabPipeline,
      job_id: positiveInt(claims.job_id),
      project_path: projectPath,
      ref: ref ?? '',
      sha: sha ?? '',
      url: `${token.issuer.replace(/\/+$/, '')}/${projectPath}/-/pipelines/${gitlabPipeline}`,
      source: 'gitlab_ci',
    };
  }
  const run = positiveInt(claims.run_id);
  const repository = text(claims.repository);
  if (run !== null && repository !== null) {
    const attempt = positiveInt(claims.run_attempt);
    return {
      id: run,
      job_id: null,
      project_path: repository,
      ref: ref === null ? '' : shortRef(ref),
      sha: sha ?? '',
      // GitHub's issuer is not its web host; only github.com's own runs have a known address.
      url: token.issuer === GITHUB_ACTIONS_ISSUER ? `https://github.com/${repository}/actions/runs/${run}${attempt ? `/attempts/${attempt}` : ''}` : null,
      source: 'github_actions',
      repository,
      ...(text(claims.workflow_ref) !== null ? { workflow: text(claims.workflow_ref)! } : {}),
      ...(attempt !== null ? { run_attempt: attempt } : {}),
    };
  }
  return null;
}

const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

/** Whether the token has expired (it is then refused like an expired personal access token). */
export function oidcTokenExpired(token: OidcToken, now = Date.now()): boolean {
  return Date.parse(token.expires_at) <= now;
}
