import { createHash } from 'node:crypto';
import type { Db } from '../../storage/db/database.js';
import { getRow } from '../../storage/db/row-lookup.js';
import type { Project } from '../accounts/projects.js';
import { findProject } from '../accounts/projects.js';
import type { AuditLog } from '../audit/audit-log.js';
import { INSTANCE_SCOPE, loadProjectScope } from '../audit/audit-scope.js';
import type { AuditContext } from '../audit/audit-types.js';
import type { AuthenticationFailures } from '../audit/authentication-failures.js';
import { consumeJti, OidcRefusal, type IdTokenVerifier, type VerifiedIdToken } from './id-token-verifier.js';
import { mintOidcToken, oidcActorOf, pipelineOfOidc, type MatchedPublisher } from './oidc-tokens.js';

// POST /api/v4/oidc/token (docs/api.md#trusted-publishing-the-token-exchange): a CI job's ID token, verified and matched to exactly one
// trusted publisher, becomes a 15-minute token that publishes to that publisher's project. The
// used jti, the minted token and the oidc_token_exchanged event commit together; every refusal is
// recorded as oidc_token_exchange_denied (with the reason and the token's issuer and subject, never
// the token), repeats within a minute as one event (authentication-failures.ts).

/** An ID token is a few kilobytes at most; anything longer is refused unread. */
const MAX_ID_TOKEN_LENGTH = 16_384;

/** Part of the trusted publishers' store (trusted-publishers.ts), bound to the database. */
export interface PublisherDirectory {
  isTrustedIssuer(issuer: string): Promise<boolean>;
  audiencesOf(issuer: string): Promise<string[]>;
  matchingPublishers(token: VerifiedIdToken, requested: { projectId: number } | null): Promise<Array<{ publisher: MatchedPublisher; projectId: number }>>;
  /** Notes the exchange on the publisher, in the exchange's transaction (the access review's last use). */
  recordUse(trx: Db, publisherId: number, at: Date): Promise<void>;
}

export interface ExchangeDeps {
  db: Db;
  audit: AuditLog;
  verifier: IdTokenVerifier;
  publishers: PublisherDirectory;
  failures: AuthenticationFailures;
}

export interface ExchangeRequest {
  id_token?: unknown;
  /** For group publishers: the project (id or full path) the job publishes to. */
  project?: unknown;
}

export interface ExchangedToken {
  token: string;
  expires_at: string;
  project: { id: number; full_path: string };
  trusted_publisher_id: number;
}

/** A refused exchange, after its event was recorded: 400 for a malformed request, else 401. */
export class ExchangeRefused extends Error {
  constructor(
    readonly reason: OidcRefusal['reason'],
    message: string,
  ) {
    super(message);
  }

  get statusCode(): 400 | 401 {
    return this.reason === 'malformed' ? 400 : 401;
  }
}

/** The refusal and, when the exchange got as far as one project, that project (the event is stored there). */
class RefusalFor extends OidcRefusal {
  constructor(
    refusal: OidcRefusal,
    readonly project: Project | null,
  ) {
    super(refusal.reason, refusal.message, refusal.issuer, refusal.subject);
  }
}

export async function exchangeIdToken(deps: ExchangeDeps, requestCtx: AuditContext, input: ExchangeRequest): Promise<ExchangedToken> {
  try {
    return await exchange(deps, requestCtx, input);
  } catch (error) {
    if (!(error instanceof OidcRefusal)) throw error;
    await recordRefusal(deps, requestCtx, error, error instanceof RefusalFor ? error.project : null);
    throw new ExchangeRefused(error.reason, error.message);
  }
}

async function exchange(deps: ExchangeDeps, requestCtx: AuditContext, input: ExchangeRequest): Promise<ExchangedToken> {
  const idToken = input.id_token;
  if (typeof idToken !== 'string' || idToken.trim() === '') throw new OidcRefusal('malformed', 'id_token is missing');
  if (idToken.length > MAX_ID_TOKEN_LENGTH) throw new OidcRefusal('malformed', 'id_token is too long');
  const requested = await requestedProject(deps.db, input.project);
  const verified = await deps.verifier.verify(idToken.trim(), {
    isTrustedIssuer: (issuer) => deps.publishers.isTrustedIssuer(issuer),
    audiences: (issuer) => deps.publishers.audiencesOf(issuer),
  });
  const refuse = (reason: OidcRefusal['reason'], message: string, project: Project | null) =>
    new RefusalFor(new OidcRefusal(reason, message, verified.issuer, verified.subject), project);
  const matches = await deps.publishers.matchingPublishers(verified, requested ? { projectId: requested.id } : null);
  const projectIds = [...new Set(matches.map((m) => m.projectId))];
  const onlyProject = projectIds.length === 1 ? await getRow(deps.db, 'projects', { id: projectIds[0]! }) : null;
  if (matches.length === 0) {
    throw refuse('no_matching_publisher', `no trusted publisher matches this ID token (issuer ${verified.issuer}, subject ${verified.subject})`, null);
  }
  if (matches.length > 1) {
    const which = matches.map((m) => `${m.publisher.id} (project ${m.projectId})`).join(', ');
    throw refuse('ambiguous_publisher', `the ID token matches ${matches.length} trusted publishers: ${which}; name the project or narrow the publishers' claims`, onlyProject);
  }
  const { publisher } = matches[0]!;
  const project = onlyProject!;
  const scope = await loadProjectScope(deps.db, project);
  return deps.db.transaction().execute(async (tx) => {
    if (!(await consumeJti(tx, verified))) throw refuse('replayed_jti', `this ID token (jti ${verified.jti}) was exchanged before`, project);
    const { token, secret } = await mintOidcToken(tx, { projectId: project.id, publisher, verified });
    await deps.publishers.recordUse(tx, publisher.id, new Date(token.created_at));
    const ctx: AuditContext = { ...requestCtx, actor: oidcActorOf(token, project.full_path), via: 'pipeline', pipeline: pipelineOfOidc(token) };
    await deps.audit.record(tx, ctx, {
      eventName: 'oidc_token_exchanged',
      scope,
      project: { id: project.id, full_path: project.full_path },
      target: { id: token.id, type: 'OidcToken', details: `${verified.issuer} ${verified.subject}` },
      customMessage: `Exchanged an OIDC ID token of ${verified.subject} (${verified.issuer}) for a publish token of ${project.full_path}, trusted publisher ${publisher.id}`,
      changes: { expires_at: { from: null, to: token.expires_at }, trusted_publisher_id: { from: null, to: publisher.id } },
    });
    return { token: secret, expires_at: token.expires_at, project: { id: project.id, full_path: project.full_path }, trusted_publisher_id: publisher.id };
  });
}

/** The project a request names (id or full path); one that does not exist names none (and reveals nothing). */
async function requestedProject(db: Db, ref: unknown): Promise<Project | null> {
  if (ref === undefined || ref === null || ref === '') return null;
  if (typeof ref !== 'string' && typeof ref !== 'number') throw new OidcRefusal('malformed', 'project must be a project id or full path');
  return (await findProject(db, String(ref).slice(0, 1000))) ?? null;
}

/**
 * oidc_token_exchange_denied: on the project when the exchange got as far as exactly one, else on
 * the instance. Refusals of one identity from one address for one reason within a minute are one
 * event with a count (the key is a digest of issuer and subject, not the token).
 */
async function recordRefusal(deps: ExchangeDeps, requestCtx: AuditContext, refusal: OidcRefusal, project: Project | null): Promise<void> {
  const identity = createHash('sha256').update(`${refusal.issuer ?? ''}\n${refusal.subject ?? ''}`).digest('hex').slice(0, 16);
  const claimed = { ...(refusal.issuer !== null ? { issuer: refusal.issuer } : {}), ...(refusal.subject !== null ? { subject: refusal.subject } : {}) };
  await deps.failures.record({
    ctx: { ...requestCtx, actor: { ...requestCtx.actor, ...claimed } },
    input: {
      eventName: 'oidc_token_exchange_denied',
      outcome: 'failure',
      reason: refusal.reason,
      scope: project ? await loadProjectScope(deps.db, project) : INSTANCE_SCOPE,
      ...(project ? { project: { id: project.id, full_path: project.full_path } } : {}),
      target: { id: null, type: 'OidcIdToken', details: `${refusal.issuer ?? '(no issuer)'} ${refusal.subject ?? '(no subject)'}` },
      customMessage: `OIDC token exchange refused (${refusal.reason}): ${refusal.message}`,
      credentialPrefix: `oidc:${identity}`,
    },
  });
}
