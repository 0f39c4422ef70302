import type { Db } from '../../../storage/db/database.js';
import type { StreamingConfig } from '../../../config/config.js';
import { nowIso } from '../../clock.js';
import type { DestinationRow } from './destination-store.js';

// What a delivery attempt changes in the database. Each outcome is one transaction, so a crash
// leaves either the state before the attempt (the event is sent again: at least once) or after.

export interface OutboxHead {
  destination_id: number;
  seq: number;
  attempts: number;
}

// A Retry-After is honoured, but a receiver cannot park a destination for more than a day.
const MAX_RETRY_AFTER_MS = 86_400_000;

const later = (ms: number) => new Date(Date.now() + ms).toISOString();

/** Events delivered one after the other (seqs in delivery order), recorded in one transaction. */
export async function markDelivered(db: Db, destinationId: number, seqs: number[]): Promise<void> {
  if (seqs.length === 0) return;
  // Checkpoint records have negative seqs (checkpoint-records.ts): last_delivered_seq names events only.
  const events = seqs.filter((seq) => seq > 0);
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('audit_stream_outbox').where('destination_id', '=', destinationId).where('seq', 'in', seqs).execute();
    await tx
      .updateTable('audit_stream_destinations')
      .set({
        ...(events.length ? { last_delivered_seq: events[events.length - 1] } : {}),
        last_delivered_at: nowIso(),
        consecutive_failures: 0,
        paused_until: null,
      })
      .where('id', '=', destinationId)
      .execute();
  });
}

/**
 * A failed attempt: the event waits for its next retry (the schedule, or the receiver's
 * Retry-After), or moves to the dead letters once the schedule is exhausted; after
 * `circuitFailures` failures in a row the destination's circuit opens for `circuitPauseMs`.
 */
export async function markFailed(
  db: Db,
  settings: StreamingConfig,
  destination: DestinationRow,
  head: OutboxHead,
  error: string,
  retryAfterMs: number | null,
): Promise<{ deadLettered: boolean; nextAttemptAt: string; pausedUntil: string | null; failures: number }> {
  const attempts = head.attempts + 1;
  const failures = destination.consecutive_failures + 1;
  const now = nowIso();
  const deadLettered = attempts > settings.retryScheduleMs.length;
  const nextAttemptAt = deadLettered ? now : later(retryAfterMs === null ? settings.retryScheduleMs[attempts - 1] : Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
  const pausedUntil = failures >= settings.circuitFailures ? later(settings.circuitPauseMs) : null;
  await db.transaction().execute(async (tx) => {
    const removeFromOutbox = tx.deleteFrom('audit_stream_outbox').where('destination_id', '=', head.destination_id).where('seq', '=', head.seq);
    if (deadLettered) {
      await removeFromOutbox.execute();
      await tx.insertInto('audit_stream_dead_letters').values({ destination_id: head.destination_id, seq: head.seq, attempts, last_error: error, created_at: now }).execute();
    } else {
      await tx
        .updateTable('audit_stream_outbox')
        .set({ attempts, next_attempt_at: nextAttemptAt, last_error: error })
        .where('destination_id', '=', head.destination_id)
        .where('seq', '=', head.seq)
        .execute();
    }
    await tx
      .updateTable('audit_stream_destinations')
      .set({
        consecutive_failures: failures,
        last_error: error,
        last_error_at: now,
        paused_until: pausedUntil,
      })
      .where('id', '=', head.destination_id)
      .execute();
  });
  return { deadLettered, nextAttemptAt, pausedUntil, failures };
}
