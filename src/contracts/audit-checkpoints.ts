import Type, { type Static } from 'typebox';
import { Id, Nullable, Timestamp } from './common.js';

// The audit log's seal (docs/architecture.md#tamper-evidence): signed checkpoints of its Merkle tree, the keys that sign them,
// the proofs an auditor checks against them, and the integrity alarm raised when the log no
// longer extends its last checkpoint.

/** A tree size: how many events a checkpoint seals (0: nothing sealed yet). */
const TreeSize = Type.Integer({ minimum: 0 });
/** A SHA-256 hash in hex. */
const Hash = Type.String();

/** `GET /audit_events/checkpoint`: the latest checkpoint and the keys to verify it with. */
export const LatestCheckpoint = Type.Object({
  origin: Type.String(),
  tree_size: TreeSize,
  root_hash: Nullable(Hash),
  created_at: Nullable(Timestamp),
  /** The signed note (C2SP tlog-checkpoint), null before the first seal. */
  checkpoint: Nullable(Type.String()),
  public_key: Type.String(),
  public_keys: Type.Array(Type.String()),
});
export type LatestCheckpoint = Static<typeof LatestCheckpoint>;

/** One of `GET /audit_events/checkpoints`, newest first. */
export const Checkpoint = Type.Object({
  tree_size: TreeSize,
  root_hash: Hash,
  key_name: Type.String(),
  created_at: Timestamp,
  checkpoint: Type.String(),
});
export type Checkpoint = Static<typeof Checkpoint>;

/** `GET /audit_events/:seq/proof`: RFC 9162 inclusion proof of one event against a checkpoint. */
export const InclusionProof = Type.Object({
  seq: Type.Integer({ minimum: 1 }),
  leaf_index: Type.Integer({ minimum: 0 }),
  tree_size: TreeSize,
  leaf_hash: Hash,
  proof: Type.Array(Hash),
  root_hash: Hash,
  checkpoint: Type.String(),
});
export type InclusionProof = Static<typeof InclusionProof>;

/** `GET /audit_events/consistency`: RFC 9162 consistency proof between two checkpoints. */
export const ConsistencyProof = Type.Object({
  first: TreeSize,
  second: TreeSize,
  proof: Type.Array(Hash),
  first_checkpoint: Type.String(),
  second_checkpoint: Type.String(),
});
export type ConsistencyProof = Static<typeof ConsistencyProof>;

/** An open integrity alarm: the log did not extend the checkpoint of `checkpoint_tree_size`. */
export const IntegrityAlarm = Type.Object({
  id: Id,
  raised_at: Timestamp,
  reason: Type.String(),
  checkpoint_tree_size: TreeSize,
  /** The seq of the `audit_integrity_alarm` event that recorded it. */
  event_seq: Nullable(Type.Integer({ minimum: 1 })),
});
export type IntegrityAlarm = Static<typeof IntegrityAlarm>;

/** `GET /audit_events/integrity_alarm`. */
export const IntegrityAlarmState = Type.Object({ alarm: Nullable(IntegrityAlarm) });
export type IntegrityAlarmState = Static<typeof IntegrityAlarmState>;

/** `POST /audit_events/integrity_alarm/acknowledge`: the alarms acknowledged. */
export const AcknowledgedAlarms = Type.Object({ acknowledged: Type.Array(IntegrityAlarm) });
export type AcknowledgedAlarms = Static<typeof AcknowledgedAlarms>;
