import Type, { type Static } from 'typebox';
import { IntegrityAlarm } from './audit-checkpoints.js';
import { DeliveryStatus } from './audit-streaming.js';
import { Id, Nullable, Timestamp } from './common.js';

// The log integrity panel of the audit pages (docs/api.md#audit-log-integrity): `GET
// /audit_events/integrity` (administrators) and `GET /groups/:id/audit_events/integrity` (owners:
// the group's own streaming destinations, no mirrors), and `POST /audit_events/verification`.

/** Who verified: Trove's own self-check (at start and before each checkpoint), or an administrator. */
export const Verifier = Type.Union([
  Type.Object({ type: Type.Literal('trove') }),
  Type.Object({ type: Type.Literal('user'), user_id: Nullable(Id), username: Nullable(Type.String()) }),
]);
export type Verifier = Static<typeof Verifier>;

/** One verification of the log: when, by whom, how far (events 1..tree_size), and whether it held. */
export const Verification = Type.Object({
  verified_at: Timestamp,
  verified_by: Verifier,
  tree_size: Type.Integer({ minimum: 0 }),
  outcome: Type.Union([Type.Literal('success'), Type.Literal('failure')]),
  reason: Nullable(Type.String()),
  /** The audit_log_verified event of an administrator's verification; null for a self-check. */
  event_id: Nullable(Id),
});
export type Verification = Static<typeof Verification>;

/** A checkpoint mirror and how far it got. */
export const CheckpointMirror = Type.Object({
  kind: Type.Literal('folder'),
  location: Type.String(),
  /** The largest tree size the mirror holds (null: not read yet). */
  tree_size: Nullable(Type.Integer({ minimum: 0 })),
  state: Type.Union([Type.Literal('up_to_date'), Type.Literal('behind'), Type.Literal('failing')]),
  last_error: Nullable(Type.String()),
  last_error_at: Nullable(Timestamp),
});
export type CheckpointMirror = Static<typeof CheckpointMirror>;

export const DestinationBacklog = Type.Object({
  id: Id,
  name: Type.String(),
  /** The top-level group; null for the instance's destinations. */
  group_id: Nullable(Id),
  active: Type.Boolean(),
  status: DeliveryStatus,
});
export type DestinationBacklog = Static<typeof DestinationBacklog>;

export const LogIntegrity = Type.Object({
  /** The latest signed checkpoint, null before the first. */
  checkpoint: Nullable(
    Type.Object({
      tree_size: Type.Integer({ minimum: 0 }),
      root_hash: Type.String(),
      created_at: Timestamp,
      key_name: Type.String(),
      /** The signing key's id (C2SP signed note key hash, 8 hex digits). */
      key_id: Type.String(),
    }),
  ),
  /** The latest of the two below. */
  last_verification: Nullable(Verification),
  self_check: Nullable(Verification),
  administrator_verification: Nullable(Verification),
  /** null where the caller may not see them (a group owner). */
  mirrors: Nullable(Type.Array(CheckpointMirror)),
  streaming_destinations: Type.Array(DestinationBacklog),
  /** audit_integrity_alarm not yet acknowledged. */
  open_alarms: Type.Array(IntegrityAlarm),
});
export type LogIntegrity = Static<typeof LogIntegrity>;

/** `POST /audit_events/verification`: the verification just run, with what it checked. */
export const VerificationRun = Type.Object({
  ...Verification.properties,
  checkpoints: Type.Integer({ minimum: 0 }),
  roots_recomputed: Type.Integer({ minimum: 0 }),
  /** Whose keys the checkpoints were checked against: those pinned in TROVE_AUDIT_TRUSTED_KEYS, or the key folder's. */
  trusted_keys: Type.Union([Type.Literal('pinned'), Type.Literal('key_folder')]),
  first_bad_seq: Nullable(Type.Integer()),
});
export type VerificationRun = Static<typeof VerificationRun>;
