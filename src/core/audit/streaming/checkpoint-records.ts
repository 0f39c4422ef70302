import type { Db, Tx } from '../../../storage/db/database.js';
import { nowIso } from '../../clock.js';
import { parseCheckpoint } from '../seal/checkpoint.js';
import { hashToHex } from '../seal/merkle.js';
import { parseSignedNote } from '../seal/signed-note.js';

// Checkpoints on the streaming destinations (docs/architecture.md#tamper-evidence checkpoint mirrors): every checkpoint is
// queued for every active destination, whatever its scope and event-name filter, in the
// transaction that stores it, and delivered like an event but as an `audit_checkpoint` record:
//   {"type":"audit_checkpoint","origin":...,"tree_size":N,"root_hash":"<hex>","note":"<signed note>"}
// so a SIEM holds a signed copy the server cannot take back. In the outbox a checkpoint of tree
// size N is the row with seq -N (the table's key stays (destination, seq)); it goes out right after
// event N, i.e. once the destination received every event it seals.

export const CHECKPOINT_RECORD_TYPE = 'audit_checkpoint';

/** Queues the checkpoint of `treeSize` for every active destination, inside the sealer's transaction. */
export async function queueCheckpointForStreaming(tx: Tx, treeSize: number): Promise<number[]> {
  const destinations = await tx.selectFrom('audit_stream_destinations').select('id').where('active', '=', 1).execute();
  if (destinations.length === 0) return [];
  const now = nowIso();
  await tx
    .insertInto('audit_stream_outbox')
    .values(destinations.map((d) => ({ destination_id: d.id, seq: -treeSize, attempts: 0, next_attempt_at: now, last_error: null })))
    .execute();
  return destinations.map((d) => d.id);
}

/** The body of an `audit_checkpoint` record. */
export function checkpointRecord(note: string): string {
  const checkpoint = parseCheckpoint(parseSignedNote(note).text);
  return JSON.stringify({
    type: CHECKPOINT_RECORD_TYPE,
    origin: checkpoint.origin,
    tree_size: checkpoint.treeSize,
    root_hash: hashToHex(checkpoint.rootHash),
    note,
  });
}

export interface BacklogItem {
  destination_id: number;
  seq: number;
  attempts: number;
  next_attempt_at: string;
  uuid: string;
  event_name: string;
  record: string;
}

/** Delivery order: by position in the log, a checkpoint right after the last event it seals. */
function position(seq: number): number {
  return seq > 0 ? seq * 2 : -seq * 2 + 1;
}

/** The first `limit` outbox items of a destination, events and checkpoints, in delivery order. */
export async function readBacklog(db: Db, destinationId: number, limit: number): Promise<BacklogItem[]> {
  const events = await db
    .selectFrom('audit_stream_outbox')
    .innerJoin('audit_events', 'audit_events.id', 'audit_stream_outbox.seq')
    .select(['audit_stream_outbox.destination_id', 'audit_stream_outbox.seq', 'attempts', 'next_attempt_at', 'uuid', 'event_name', 'record'])
    .where('destination_id', '=', destinationId)
    .orderBy('audit_stream_outbox.seq')
    .limit(limit)
    .execute();
  const checkpoints = await db
    .selectFrom('audit_stream_outbox')
    .innerJoin('audit_checkpoints', (join) => join.on((eb) => eb('audit_checkpoints.tree_size', '=', eb.neg(eb.ref('audit_stream_outbox.seq')))))
    .select(['audit_stream_outbox.destination_id', 'audit_stream_outbox.seq', 'attempts', 'next_attempt_at', 'audit_checkpoints.note'])
    .where('destination_id', '=', destinationId)
    .where('audit_stream_outbox.seq', '<', 0)
    .orderBy('audit_stream_outbox.seq', 'desc')
    .limit(limit)
    .execute();
  const items: BacklogItem[] = [
    ...events.map((e) => ({ ...e, seq: Number(e.seq) })),
    ...checkpoints.map((c) => ({
      destination_id: c.destination_id,
      seq: Number(c.seq),
      attempts: c.attempts,
      next_attempt_at: c.next_attempt_at,
      uuid: `audit-checkpoint-${-Number(c.seq)}`,
      event_name: CHECKPOINT_RECORD_TYPE,
      record: checkpointRecord(c.note),
    })),
  ];
  return items.sort((a, b) => position(a.seq) - position(b.seq)).slice(0, limit);
}

/** When the first item of a destination's backlog (in delivery order) is due, or undefined when it is empty. */
export async function backlogHead(db: Db, destinationId: number): Promise<{ next_attempt_at: string } | undefined> {
  const head = (direction: 'asc' | 'desc', sign: '>' | '<') =>
    db
      .selectFrom('audit_stream_outbox')
      .select(['seq', 'next_attempt_at'])
      .where('destination_id', '=', destinationId)
      .where('seq', sign, 0)
      .orderBy('seq', direction)
      .limit(1)
      .executeTakeFirst();
  const [event, checkpoint] = await Promise.all([head('asc', '>'), head('desc', '<')]);
  if (!event || !checkpoint) return event ?? checkpoint;
  return position(Number(event.seq)) < position(Number(checkpoint.seq)) ? event : checkpoint;
}
