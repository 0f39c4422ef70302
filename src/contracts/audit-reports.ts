import Type, { type Static } from 'typebox';
import { Actor, Client, Pipeline, Via } from './actors.js';
import { Changes } from './audit-events.js';
import { Id, Nullable, Timestamp } from './common.js';

// `GET .../audit_reports?from=&to=` (docs/api.md#audit-reports): what changed in a scope over a
// period [from, to), summarised for an auditor, with the log's integrity for that period. The web
// UI's report page and the printable HTML (report.html of the evidence pack) render this object.

const Count = Type.Integer({ minimum: 0 });

/** One event of a report's lists: who (actor and a readable label), what, when, how. */
export const AuditReportEntry = Type.Object({
  id: Id,
  seq: Type.Integer({ minimum: 1 }),
  created_at: Timestamp,
  event_name: Type.String(),
  /** The catalog's label, e.g. "Package published". */
  label: Type.String(),
  outcome: Type.Union([Type.Literal('success'), Type.Literal('failure')]),
  reason: Nullable(Type.String()),
  actor: Type.Object({ ...Actor.properties, policy_id: Type.Optional(Id) }),
  /** e.g. `deploy token "release-bot" of acme/web-app`, `user olga`, `system: Packages cleanup policy #3`. */
  actor_label: Type.String(),
  via: Via,
  client: Nullable(Client),
  pipeline: Nullable(Pipeline),
  project: Nullable(Type.String()),
  /** The event's target (GitLab's target_details): a package version, a member, a token, a setting. */
  target: Type.String(),
  package: Nullable(Type.Object({ format: Type.String(), name: Type.String(), version: Nullable(Type.String()) })),
  changes: Nullable(Changes),
  message: Type.String(),
});
export type AuditReportEntry = Static<typeof AuditReportEntry>;

/** A list of a report: every entry, unless more than the report's cap, then the first `items.length` of `total` (the rest are in the export). */
export const AuditReportList = Type.Object({ total: Count, items: Type.Array(AuditReportEntry) });
export type AuditReportList = Static<typeof AuditReportList>;

/** A checkpoint as the report names it: how many events it seals, when, and the key that signed it. */
export const AuditReportCheckpoint = Type.Object({
  tree_size: Count,
  created_at: Timestamp,
  root_hash: Type.String(),
  key_name: Type.String(),
  /** "name+keyid" of each key among those the report trusts whose signature verified; empty when none did. */
  verified_keys: Type.Array(Type.String()),
});
export type AuditReportCheckpoint = Static<typeof AuditReportCheckpoint>;

export const AuditReportVerificationStatus = Type.Union([
  /** Every event of the period is proven by an inclusion proof against a signed checkpoint. */
  Type.Literal('verified'),
  /** Some are; the others were recorded after the latest checkpoint (`unsealed`). */
  Type.Literal('partly_sealed'),
  /** None is sealed yet: the log has no checkpoint covering them. */
  Type.Literal('not_sealed'),
  /** No event in the period. */
  Type.Literal('no_events'),
  /** The sealed log is larger than TROVE_AUDIT_PROOF_MAX_EVENTS: verify the evidence pack offline. */
  Type.Literal('not_checked'),
  /** An event or checkpoint failed: `reason` says which seq and why. */
  Type.Literal('failed'),
]);
export type AuditReportVerificationStatus = Static<typeof AuditReportVerificationStatus>;

export const AuditReportIntegrity = Type.Object({
  status: AuditReportVerificationStatus,
  /** What the status means, in one sentence. */
  statement: Type.String(),
  reason: Nullable(Type.String()),
  /** The seq of the first and last event of the report. */
  first_seq: Nullable(Type.Integer({ minimum: 1 })),
  last_seq: Nullable(Type.Integer({ minimum: 1 })),
  /** Events whose leaf hash was recomputed and whose inclusion proof verified. */
  verified_events: Count,
  unsealed_events: Count,
  /** The checkpoint the inclusion proofs were checked against (the latest when the report was made). */
  checked_against: Nullable(AuditReportCheckpoint),
  /** The first checkpoint that seals the last event of the period. */
  sealing_checkpoint: Nullable(AuditReportCheckpoint),
  /** Checkpoints signed during the period (oldest first; at most the report's checkpoint cap, `checkpoints_total` says how many). */
  checkpoints: Type.Array(AuditReportCheckpoint),
  checkpoints_total: Count,
  /** Which keys signatures were checked against: those the operator pinned (TROVE_AUDIT_TRUSTED_KEYS), or the ones the server publishes. */
  trusted_keys: Type.Union([Type.Literal('pinned'), Type.Literal('published')]),
  /** "name+keyid" of every key that signed a listed checkpoint. */
  signing_keys: Type.Array(Type.String()),
});
export type AuditReportIntegrity = Static<typeof AuditReportIntegrity>;

export const AuditReport = Type.Object({
  scope: Type.Object({
    kind: Type.Union([Type.Literal('instance'), Type.Literal('group'), Type.Literal('project')]),
    id: Nullable(Id),
    /** "instance", or the group's or project's full path. */
    label: Type.String(),
    include_subgroups: Type.Boolean(),
  }),
  /** [from, to): from included, to excluded. */
  period: Type.Object({ from: Timestamp, to: Timestamp }),
  generated_at: Timestamp,
  generated_by: Type.String(),
  /** 'own_actions' when the reader may see only their own actions (developers, group maintainers). */
  visibility: Type.Union([Type.Literal('all'), Type.Literal('own_actions')]),
  /** Most entries a list holds; a longer list says how many more the JSONL export of the period has. */
  list_cap: Count,
  summary: Type.Object({
    events: Count,
    by_event_type: Type.Array(Type.Object({ event_name: Type.String(), label: Type.String(), category: Type.String(), count: Count })),
    /** project null: events about no project (group settings, members of a group, tokens of a user). */
    by_project: Type.Array(Type.Object({ project: Nullable(Type.String()), count: Count })),
    /** user, personal_access_token, deploy_token, job_token, oidc, system, anonymous (and any kind later events carry). */
    by_actor_kind: Type.Array(Type.Object({ kind: Type.String(), count: Count })),
    /** Each actor (a user, a named token, a pipeline's job token, a system policy) and how many events. */
    by_actor: Type.Array(Type.Object({ kind: Type.String(), label: Type.String(), count: Count })),
    by_via: Type.Array(Type.Object({ via: Type.String(), count: Count })),
  }),
  package_changes: AuditReportList,
  denied_attempts: AuditReportList,
  access_changes: AuditReportList,
  settings_changes: AuditReportList,
  integrity: AuditReportIntegrity,
});
export type AuditReport = Static<typeof AuditReport>;
