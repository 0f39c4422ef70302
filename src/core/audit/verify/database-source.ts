// The live source of `trove audit verify` without --export: the events and checkpoints of the
// database itself, read directly (no Trove API in between), events in keyset batches so that
// memory stays constant in the number of events. Besides the record (what the verifier hashes),
// the columns Trove filters on are copies of record fields: an edit of a copy would make the API's
// filtered views lie without changing any hash, so each row's copies are checked here too.
import type { Selectable } from 'kysely';
import type { Db } from '../../../storage/db/database.js';
import { isPostgres } from '../../../storage/db/dialect-types.js';
import type { AuditEventsTable } from '../../../storage/db/schema.js';
import { indexedThrough } from '../audit-indexer.js';
import { InvalidEvent, type CheckpointInput, type VerifyEvent } from './verify-log.js';

const BATCH = 1000;

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

type Row = Selectable<AuditEventsTable>;

/** Every event in id order, which is seq order (eventOfRow checks both against the record), as the API serves it. */
export async function* databaseEvents(db: Db): AsyncGenerator<VerifyEvent> {
  // Every row up to the indexer's mark must be in the filter indexes (migration 012; PostgreSQL:
  // every row). One taken out would be missing from filtered listings and exports, unhashed.
  const indexedUpTo = isPostgres(db) ? Infinity : await indexedThrough(db);
  let after: number | null = null;
  for (;;) {
    let query = db
      .selectFrom('audit_events')
      .selectAll()
      .orderBy('id')
      .limit(BATCH);
    if (after !== null) query = query.where('id', '>', after);
    const rows = await query.execute();
    for (const row of rows) yield eventOfRow(row, indexedUpTo);
    if (rows.length < BATCH) return;
    after = Number(rows[rows.length - 1].id);
  }
}

function eventOfRow(row: Row, indexedUpTo: number): VerifyEvent {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(row.record) as Record<string, unknown>;
  } catch {
    return new InvalidEvent(`the record of the row with seq ${row.seq} is not valid JSON`);
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    return new InvalidEvent(`the record of the row with seq ${row.seq} is not a JSON object`);
  }
  const field = (path: string[]): unknown => {
    let value: unknown = record;
    for (const key of path) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
    return value;
  };
  const copies: Array<[keyof Row, string[]]> = [
    ['seq', ['seq']],
    ['id', ['id']],
    ['uuid', ['uuid']],
    ['event_name', ['event_name']],
    ['outcome', ['outcome']],
    ['author_id', ['author_id']],
    ['author_username', ['actor', 'username']],
    ['actor_type', ['actor', 'type']],
    ['token_id', ['actor', 'token_id']],
    ['entity_type', ['entity_type']],
    ['entity_id', ['entity_id']],
    ['entity_path', ['details', 'entity_path']],
    ['project_id', ['project', 'id']],
    ['package_format', ['package', 'format']],
    ['package_name', ['package', 'name']],
    ['via', ['via']],
    ['created_at', ['created_at']],
  ];
  for (const [column, path] of copies) {
    const stored = normalize(row[column]);
    const recorded = normalize(field(path));
    if (stored !== recorded) {
      return new InvalidEvent(
        `column ${column} of the row with seq ${row.seq} is ${stored ?? 'NULL'}, but its record says ${recorded ?? 'null'} (the row was edited outside Trove)`,
      );
    }
  }
  if (Number(row.id) <= indexedUpTo && Number(row.indexed) !== 1) {
    return new InvalidEvent(`the row with seq ${row.seq} is marked as not in the filter indexes (indexed = ${row.indexed}), so listings and exports skip it (the row was edited outside Trove)`);
  }
  return { ...record, leaf_hash: row.leaf_hash };
}

function normalize(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
