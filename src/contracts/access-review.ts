import Type, { type Static } from 'typebox';
import { Actor, Via } from './actors.js';
import { Id, Nullable, Timestamp } from './common.js';
import { MemberAccessLevel } from './members.js';
import { UserState } from './users.js';

// A group's access review (docs/api.md#access-review): who can reach each project of the group and
// its subgroups, which credentials can write packages or push images there, and when the review was last completed.

const PathRef = Type.Object({ id: Id, full_path: Type.String() });

/** The audit event that granted a membership its current level: who, when, how. */
export const AccessGrant = Type.Object({
  event_id: Id,
  event_name: Type.Union([Type.Literal('member_added'), Type.Literal('member_access_level_changed')]),
  granted_at: Timestamp,
  granted_by: Actor,
  via: Via,
});
export type AccessGrant = Static<typeof AccessGrant>;

/** One user's effective access to one project: the highest of their direct and inherited memberships. */
export const AccessReviewEntry = Type.Object({
  project: PathRef,
  user: Type.Object({ id: Id, username: Type.String(), name: Type.String(), state: UserState }),
  access_level: MemberAccessLevel,
  /** `direct`: a membership of the project; `inherited`: of `inherited_from`, a group above it. */
  membership: Type.Union([Type.Literal('direct'), Type.Literal('inherited')]),
  inherited_from: Nullable(PathRef),
  /** Null when the log holds no event that granted this level (a membership older than the audit log): unknown, never guessed. */
  granted: Nullable(AccessGrant),
  /** YYYY-MM-DD: the membership ends after that day; null: it does not expire. */
  expires_at: Nullable(Type.String()),
});
export type AccessReviewEntry = Static<typeof AccessReviewEntry>;

/** What kind of credential can write: a member's personal access token, a deploy token, an OIDC trusted publisher (once Trove has them). */
export const WriteCredentialKind = Type.Union([Type.Literal('personal_access_token'), Type.Literal('deploy_token'), Type.Literal('trusted_publisher')]);
export type WriteCredentialKind = Static<typeof WriteCredentialKind>;

/** Why a credential is flagged: last used more than 90 days ago, or never used and created more than 90 days ago. */
export const StaleReason = Type.Union([Type.Literal('unused_90_days'), Type.Literal('never_used_90_days')]);
export type StaleReason = Static<typeof StaleReason>;

/** A credential that can write packages or push images in the group's projects. */
export const WriteCredential = Type.Object({
  kind: WriteCredentialKind,
  id: Id,
  name: Type.String(),
  /** A personal token's user (path: the username), a deploy token's group or project. */
  owner: Type.Object({ type: Type.Union([Type.Literal('user'), Type.Literal('group'), Type.Literal('project')]), id: Id, path: Type.String() }),
  scopes: Type.Array(Type.String()),
  created_at: Timestamp,
  expires_at: Nullable(Type.String()),
  last_used_at: Nullable(Timestamp),
  stale: Type.Boolean(),
  stale_reason: Nullable(StaleReason),
});
export type WriteCredential = Static<typeof WriteCredential>;

/** A recorded `access_review_completed` event, as the review shows it. */
export const AccessReviewCompletion = Type.Object({
  event_id: Id,
  completed_at: Timestamp,
  completed_by: Actor,
  note: Nullable(Type.String()),
  members: Type.Integer({ minimum: 0 }),
  access_entries: Type.Integer({ minimum: 0 }),
  credentials: Type.Integer({ minimum: 0 }),
  stale_credentials: Type.Integer({ minimum: 0 }),
});
export type AccessReviewCompletion = Static<typeof AccessReviewCompletion>;

export const AccessReviewSummary = Type.Object({
  /** Distinct users with access to at least one project. */
  members: Type.Integer({ minimum: 0 }),
  /** Rows of `access`: user × project. */
  access_entries: Type.Integer({ minimum: 0 }),
  credentials: Type.Integer({ minimum: 0 }),
  stale_credentials: Type.Integer({ minimum: 0 }),
});
export type AccessReviewSummary = Static<typeof AccessReviewSummary>;

/** `GET /groups/:id/access_review`. */
export const AccessReview = Type.Object({
  group: PathRef,
  generated_at: Timestamp,
  stale_after_days: Type.Integer({ minimum: 1 }),
  summary: AccessReviewSummary,
  access: Type.Array(AccessReviewEntry),
  credentials: Type.Array(WriteCredential),
  last_completion: Nullable(AccessReviewCompletion),
});
export type AccessReview = Static<typeof AccessReview>;
