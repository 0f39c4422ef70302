import Type, { type Static } from 'typebox';
import { Id, Nullable, Timestamp } from './common.js';

// Audit event streaming destinations (docs/api.md#audit-event-streaming) of a top-level group or of the instance.

/** Where a destination's deliveries stand. */
export const DeliveryStatus = Type.Object({
  last_delivered_seq: Nullable(Type.Integer()),
  last_delivered_at: Nullable(Timestamp),
  backlog: Type.Integer({ minimum: 0 }),
  dead_letters: Type.Integer({ minimum: 0 }),
  last_error: Nullable(Type.String()),
  last_error_at: Nullable(Timestamp),
  /** When the oldest waiting event is tried next (null when nothing waits). */
  next_attempt_at: Nullable(Timestamp),
  circuit: Type.Union([Type.Literal('closed'), Type.Literal('open')]),
});
export type DeliveryStatus = Static<typeof DeliveryStatus>;

const destinationFields = {
  id: Id,
  name: Type.String(),
  destination_url: Type.String(),
  /** The top-level group; null for the instance's destinations. */
  group_id: Nullable(Id),
  /** The events streamed; empty for every event. */
  event_names: Type.Array(Type.String()),
  /** Custom header names, each value shown as "[MASKED]" (values are often SIEM credentials). */
  headers: Type.Record(Type.String(), Type.Literal('[MASKED]')),
  active: Type.Boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
  status: DeliveryStatus,
};

/** A destination as listed and shown: never its secret. */
export const StreamingDestination = Type.Object(destinationFields);
export type StreamingDestination = Static<typeof StreamingDestination>;

/** The creation answer: the only one that shows the signing secret. */
export const CreatedStreamingDestination = Type.Object({ ...destinationFields, secret: Type.String(), verification_token: Type.String() });
export type CreatedStreamingDestination = Static<typeof CreatedStreamingDestination>;

/** An event (or a checkpoint record, negative seq) the destination refused until it was given up. */
export const DeadLetter = Type.Object({
  id: Id,
  seq: Type.Integer(),
  uuid: Nullable(Type.String()),
  event_name: Nullable(Type.String()),
  attempts: Type.Integer({ minimum: 0 }),
  last_error: Nullable(Type.String()),
  created_at: Timestamp,
});
export type DeadLetter = Static<typeof DeadLetter>;

/** How many dead letters went back into the outbox. */
export const ReplayedDeadLetters = Type.Object({ replayed: Type.Integer({ minimum: 0 }) });
export type ReplayedDeadLetters = Static<typeof ReplayedDeadLetters>;

/** The outcome of a test event sent right away. */
export const TestDelivery = Type.Object({
  delivered: Type.Boolean(),
  status: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  webhook_id: Type.String(),
});
export type TestDelivery = Static<typeof TestDelivery>;
