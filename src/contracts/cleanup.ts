import Type, { type Static } from 'typebox';
import { Id, Nullable, Timestamp } from './common.js';

// A project's packages cleanup policy (docs/api.md#cleanup-policies) and what one run of it did.

/** GitLab's cadences; months are calendar months. */
export const Cadence = Type.Union([Type.Literal('1d'), Type.Literal('7d'), Type.Literal('14d'), Type.Literal('1month'), Type.Literal('3month')]);
export type Cadence = Static<typeof Cadence>;

/** `GET/PUT /projects/:id/packages/cleanup_policy` (id null until the policy is first saved). */
export const CleanupPolicy = Type.Object({
  id: Nullable(Id),
  project_id: Id,
  enabled: Type.Boolean(),
  cadence: Cadence,
  keep_n_versions: Nullable(Type.Integer({ minimum: 1 })),
  older_than_days: Nullable(Type.Integer({ minimum: 0 })),
  name_regex: Nullable(Type.String()),
  name_regex_keep: Nullable(Type.String()),
  version_regex_keep: Nullable(Type.String()),
  next_run_at: Nullable(Timestamp),
});
export type CleanupPolicy = Static<typeof CleanupPolicy>;

/** A version a run selected (and, unless a dry run, deleted), with the rules that selected it. */
export const CleanupItem = Type.Object({
  id: Id,
  package_type: Type.String(),
  name: Type.String(),
  version: Type.String(),
  created_at: Timestamp,
  reason: Type.String(),
});
export type CleanupItem = Static<typeof CleanupItem>;

/** `POST /projects/:id/packages/cleanup_policy/run`. */
export const CleanupRunResult = Type.Object({
  policy_id: Id,
  dry_run: Type.Boolean(),
  trigger: Type.Union([Type.Literal('schedule'), Type.Literal('manual')]),
  versions_considered: Type.Integer({ minimum: 0 }),
  selected: Type.Array(CleanupItem),
  deleted: Type.Array(CleanupItem),
  /** Selected but kept because a legal hold covers them; `reason` names the hold. */
  held: Type.Array(CleanupItem),
  /** Selected but kept: a package protection rule refuses the deletion (reason names the rule). */
  skipped: Type.Array(CleanupItem),
  errors: Type.Array(Type.String()),
  duration_ms: Type.Number({ minimum: 0 }),
});
export type CleanupRunResult = Static<typeof CleanupRunResult>;
