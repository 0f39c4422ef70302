import { randomUUID } from 'node:crypto';
import type { DeadLetter, DeliveryStatus } from '../../../contracts/audit-streaming.js';
import type { Db } from '../../../storage/db/database.js';
import { nowIso } from '../../clock.js';
import { CHECKPOINT_RECORD_TYPE } from './checkpoint-records.js';
import type { AddressPolicy } from './destination-address.js';
import { deliver, type DeliveryResult } from './delivery-request.js';
import type { DestinationRow } from './destination-store.js';

// Where a destination's deliveries stand (docs/api.md#audit-event-streaming "delivery status is visible"), its dead
// letters, their replay, and the manual test event.


export async function deliveryStatus(db: Db, row: DestinationRow): Promise<DeliveryStatus> {
  const backlog = await db.selectFrom('audit_stream_outbox').select((eb) => eb.fn.countAll().as('n')).where('destination_id', '=', row.id).executeTakeFirst();
  const head = await db.selectFrom('audit_stream_outbox').select('next_attempt_at').where('destination_id', '=', row.id).orderBy('seq').limit(1).executeTakeFirst();
  const paused = row.paused_until !== null && row.paused_until > nowIso();
  const next = head ? (paused && row.paused_until! > head.next_attempt_at ? row.paused_until : head.next_attempt_at) : null;
  return {
    last_delivered_seq: row.last_delivered_seq === null ? null : Number(row.last_delivered_seq),
    last_delivered_at: row.last_delivered_at,
    backlog: Number(backlog?.n ?? 0),
    dead_letters: await countDeadLetters(db, row.id),
    last_error: row.last_error,
    last_error_at: row.last_error_at,
    next_attempt_at: row.active === 1 ? next : null,
    circuit: paused ? 'open' : 'closed',
  };
}

export async function countDeadLetters(db: Db, destinationId: number): Promise<number> {
  const row = await db.selectFrom('audit_stream_dead_letters').select((eb) => eb.fn.countAll().as('n')).where('destination_id', '=', destinationId).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Dead letters oldest event first, each with the event's uuid and name; a checkpoint record
 * (negative seq, checkpoint-records.ts) as `audit-checkpoint-<tree size>` / `audit_checkpoint`.
 */
export async function listDeadLetters(db: Db, destinationId: number, page: { limit: number; offset: number }): Promise<DeadLetter[]> {
  const rows = await db
    .selectFrom('audit_stream_dead_letters')
    .leftJoin('audit_events', 'audit_events.id', 'audit_stream_dead_letters.seq')
    .select(['audit_stream_dead_letters.id', 'audit_stream_dead_letters.seq', 'audit_events.uuid', 'audit_events.event_name', 'attempts', 'last_error', 'audit_stream_dead_letters.created_at'])
    .where('destination_id', '=', destinationId)
    .orderBy('audit_stream_dead_letters.seq')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map((row) => {
    const seq = Number(row.seq);
    return seq > 0 ? { ...row, seq } : { ...row, seq, uuid: `audit-checkpoint-${-seq}`, event_name: CHECKPOINT_RECORD_TYPE };
  });
}

/** Moves dead letters (all, or those with the given seqs) back into the outbox, due now; returns how many. */
export async function replayDeadLetters(db: Db, destinationId: number, seqs: number[] | null): Promise<number> {
  return db.transaction().execute(async (tx) => {
    let query = tx.selectFrom('audit_stream_dead_letters').select('seq').where('destination_id', '=', destinationId);
    if (seqs !== null) query = query.where('seq', 'in', seqs.length > 0 ? seqs : [-1]);
    const rows = await query.execute();
    const now = nowIso();
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500).map((r) => Number(r.seq));
      await tx
        .insertInto('audit_stream_outbox')
        .values(chunk.map((seq) => ({ destination_id: destinationId, seq, attempts: 0, next_attempt_at: now, last_error: null })))
        .onConflict((oc) => oc.columns(['destination_id', 'seq']).doNothing())
        .execute();
      await tx.deleteFrom('audit_stream_dead_letters').where('destination_id', '=', destinationId).where('seq', 'in', chunk).execute();
    }
    return rows.length;
  });
}

export const TEST_EVENT_NAME = 'audit_event_streaming_test';

/** Sends a synthetic, signed event right away (not through the outbox), for an owner checking the setup. */
export async function sendTestEvent(row: DestinationRow, policy: AddressPolicy, timeoutMs: number): Promise<DeliveryResult & { uuid: string }> {
  const uuid = randomUUID();
  const body = JSON.stringify({ uuid, event_name: TEST_EVENT_NAME, created_at: nowIso(), custom_message: `Test event for audit event streaming destination ${row.name}` });
  const result = await deliver(
    { url: row.url, secret: row.secret, headers: row.headers },
    { uuid, eventName: TEST_EVENT_NAME, body },
    policy,
    timeoutMs,
  );
  return { ...result, uuid };
}
