// The live source of `trove audit verify` without --export: the events and checkpoints of the
// database itself, read directly (no Trove API in between), events in keyset batches so that
// memory stays constant in the number of events. Besides the record (what the verifier hashes),
// the columns Trove filters on are copies of record fields: an edit of a copy would make the API's
// filtered views lie without changing any hash, so each row's copies are checked here too.
import type { Db } from '../../../storage/db/database.js';
import { isPostgres } from '../../../storage/db/dialect-types.js';
import { indexedThrough } from '../audit-indexer.js';
import { checkInWorkers, type CheckJob } from './check-workers.js';
import type { CheckedLine, TrustedRootsJson } from './record-check.js';
import { eventOfRow, type EventRow } from './row-event.js';
import type { CheckpointInput, VerifyEvent } from './verify-log.js';

const BATCH = 1000;
const WORKERS_FROM_EVENTS = 20_000;

/** Every checkpoint row, smallest tree size first. Read these BEFORE the events (sealing goes on). */
export async function databaseCheckpoints(db: Db): Promise<CheckpointInput[]> {
  const rows = await db.selectFrom('audit_checkpoints').select(['tree_size', 'root_hash', 'note']).orderBy('tree_size').execute();
  return rows.map((row) => ({
    note: row.note,
    source: `audit_checkpoints row ${row.tree_size}`,
    declaredTreeSize: Number(row.tree_size),
    declaredRootHash: row.root_hash,
  }));
}

/** Every event row in id order, in batches. */
async function* databaseRows(db: Db): AsyncGenerator<EventRow[]> {
  let after: number | null = null;
  for (;;) {
    let query = db
      .selectFrom('audit_events')
      .selectAll()
      .orderBy('id')
      .limit(BATCH);
    if (after !== null) query = query.where('id', '>', after);
    const rows = await query.execute();
    if (rows.length > 0) yield rows;
    if (rows.length < BATCH) return;
    after = Number(rows[rows.length - 1].id);
  }
}

/** Every row up to the indexer's mark must be in the filter indexes (migration 012; PostgreSQL: every row). */
async function indexedMark(db: Db): Promise<number> {
  return isPostgres(db) ? Infinity : await indexedThrough(db);
}

/** Every event in id order, which is seq order (eventOfRow checks both against the record), as the API serves it. */
export async function* databaseEvents(db: Db): AsyncGenerator<VerifyEvent> {
  // One row taken out of the indexes would be missing from filtered listings and exports, unhashed.
  const indexedUpTo = await indexedMark(db);
  for await (const rows of databaseRows(db)) for (const row of rows) yield eventOfRow(row, indexedUpTo);
}

/**
 * The same events checked on their own on worker threads (check-workers.ts), for verifyAuditLog's
 * source: this thread reads the batches, the workers parse and hash them.
 */
export function checkedDatabaseEvents(db: Db, threads?: number): (roots: TrustedRootsJson) => AsyncIterable<CheckedLine> {
  return async function* (roots) {
    const indexedUpTo = await indexedMark(db);
    // A small log is checked on this thread: starting workers would cost more than they save.
    const last = await db.selectFrom('audit_events').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
    const workers = threads ?? (Number(last?.id ?? 0) < WORKERS_FROM_EVENTS ? 0 : undefined);
    async function* jobs(): AsyncGenerator<CheckJob> {
      for await (const rows of databaseRows(db)) yield { rows, indexedUpTo };
    }
    yield* checkInWorkers(jobs(), roots, workers);
  };
}
