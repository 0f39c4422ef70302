import type { AuditLog } from '../audit/audit-log.js';
import { INSTANCE_SCOPE, type SubjectAudit } from '../audit/audit-scope.js';
import type { AuditContext } from '../audit/audit-types.js';
import type { Db } from '../../storage/db/database.js';

// A refused token change (403: a developer minting a project's deploy token, a maintainer a group's
// or a CI job token in someone else's name, a non-administrator a token for another user) is
// recorded as token_change_denied, in its own transaction: who tried to obtain a credential they
// may not have is what an access review asks, as for refused membership changes. Refusals that
// would tell an outsider a group or project exists (404) are not recorded against it.

export type TokenKind = 'personal_access_token' | 'deploy_token' | 'ci_job_token';

export interface TokenChangeAttempt {
  action: 'create' | 'revoke';
  kind: TokenKind;
  /** The new token's name; for a revoke, the id of the token. */
  token: string | null;
  scopes: readonly string[] | null;
  /** The user the token would belong to or act as, when the caller named one. */
  forUser: { id: number; username: string | null } | null;
}

const KIND_NAMES: Record<TokenKind, string> = { personal_access_token: 'personal access token', deploy_token: 'deploy token', ci_job_token: 'CI job token' };

/** Records the refusal on `subject` (the group or project of a deploy or job token), or on the instance. */
export async function recordTokenChangeDenied(db: Db, audit: AuditLog, ctx: AuditContext, subject: SubjectAudit | null, attempt: TokenChangeAttempt, reason: string): Promise<void> {
  const what = `${KIND_NAMES[attempt.kind]}${attempt.token === null ? '' : ` "${attempt.token}"`}`;
  const forWhom = attempt.forUser === null ? '' : ` for ${attempt.forUser.username ?? `user ${attempt.forUser.id}`}`;
  await audit.recordAlone(db, ctx, {
    eventName: 'token_change_denied',
    outcome: 'failure',
    reason,
    scope: subject?.scope ?? INSTANCE_SCOPE,
    project: subject?.project ?? null,
    target: attempt.forUser === null ? { id: null, type: 'Token', details: what } : { id: attempt.forUser.id, type: 'User', details: attempt.forUser.username ?? `user ${attempt.forUser.id}` },
    customMessage: `Refused to ${attempt.action} ${what}${forWhom}`,
    changes: { action: { from: null, to: attempt.action }, kind: { from: null, to: attempt.kind }, scopes: { from: null, to: attempt.scopes === null ? null : [...attempt.scopes] } },
  });
}
