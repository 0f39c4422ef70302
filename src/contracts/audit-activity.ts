import Type, { type Static } from 'typebox';
import { ACTIVITY_KINDS, type ActivityKind as Kind } from './activity-kinds.js';
import { Timestamp } from './common.js';

// `GET .../audit_events/activity` (docs/api.md#audit-activity): a scope's audit events per UTC day,
// counted per activity kind (activity-kinds.ts), for the audit pages' chart.

const Count = Type.Integer({ minimum: 0 });

export const ActivityKind = Type.Unsafe<Kind>(Type.Union(ACTIVITY_KINDS.map((kind) => Type.Literal(kind))));

/** One UTC day: its date (YYYY-MM-DD), how many events of each kind, and all of them. */
export const ActivityDay = Type.Object({
  day: Type.String(),
  total: Count,
  counts: Type.Object(Object.fromEntries(ACTIVITY_KINDS.map((kind) => [kind, Count])) as Record<(typeof ACTIVITY_KINDS)[number], typeof Count>),
});
export type ActivityDay = Static<typeof ActivityDay>;

/** Every day of the period, oldest first, days without events included (zeros). */
export const AuditActivity = Type.Object({
  from: Timestamp,
  to: Timestamp,
  kinds: Type.Array(ActivityKind),
  days: Type.Array(ActivityDay),
});
export type AuditActivity = Static<typeof AuditActivity>;
