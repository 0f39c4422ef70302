import { sql } from 'kysely';
import type { Queryable, Tx } from './database.js';
import { isPostgres } from './dialect-types.js';
import { selectFixedShape } from './row-lookup.js';

// Audit events get a contiguous seq (max + 1) inside the writer's transaction. That is only
// safe if appends are serialised until commit:
// - SQLite: one connection per process, and Kysely runs one transaction at a time on it;
// - PostgreSQL: several connections and processes, so a transaction-scoped advisory lock
//   makes every append wait for the previous appender to commit or roll back. A package write's
//   events take it only inside their COMMIT (migration 034); the few writes that must know their
//   event's seq before commit (an export's upper bound, an alarm's event) take it at once.
export const AUDIT_APPEND_LOCK = 0x7472_6f76; // "trov"

/**
 * PostgreSQL: an event written to audit_events_pending has the JSON string
 * `"pending-seq-<its uuid>"` for its id and seq, which its commit replaces with the seq (migration 034).
 * The uuid is made after the request's input was read, so no value a caller supplies can be that string.
 */
export const PENDING_SEQ_MARKER_PREFIX = 'pending-seq-';

export async function lockAuditAppend(tx: Tx): Promise<void> {
  if (isPostgres(tx)) await sql`select pg_advisory_xact_lock(${AUDIT_APPEND_LOCK})`.execute(tx);
}

/**
 * The newest event's seq, which is its id (the table's key answers max at once; seq has no index
 * of its own, migration 012); 0 for an empty log. Compiled once: every package write asks.
 */
export async function lastAuditSeq(db: Queryable): Promise<number> {
  const [last] = await selectFixedShape(db, 'audit last seq', () => db.selectFrom('audit_events').select((eb) => eb.fn.max('id').as('seq')), []);
  return Number(last?.seq ?? 0);
}

/**
 * The seq the next event follows: the newest event's, or the size of the largest checkpoint if
 * that is larger. They differ only when sealed events were deleted from the tail (docs/architecture.md#tamper-evidence: the
 * self-check raises an alarm then); a seq a checkpoint has covered is never given out again,
 * so new events cannot pass for the deleted ones, and the tree still extends the checkpoint.
 */
export async function lastUsedAuditSeq(db: Queryable): Promise<number> {
  const greatest = isPostgres(db) ? 'greatest' : 'max';
  const { rows } = await sql<{ seq: number | string }>`select ${sql.raw(greatest)}(
      coalesce((select max(id) from audit_events), 0),
      coalesce((select max(tree_size) from audit_checkpoints), 0)) as seq`.execute(db);
  return Number(rows[0]?.seq ?? 0);
}
