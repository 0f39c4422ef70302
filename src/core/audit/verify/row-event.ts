// An audit_events row as `trove audit verify` reads it live (database-source.ts): the record
// as the API serves it, or why the row cannot be trusted. Besides the record (what the verifier
// hashes), the columns Trove filters on are copies of record fields: an edit of a copy would make
// the API's filtered views lie without changing any hash, so each row's copies are checked here
// too. Pure, so that it also runs on the verifier's worker threads (check-workers.ts).
import type { Selectable } from 'kysely';
import type { AuditEventsTable } from '../../../storage/db/schema.js';
import { InvalidEvent, type VerifyEvent } from './verify-events.js';

export type EventRow = Selectable<AuditEventsTable>;
type Row = EventRow;

export function eventOfRow(row: Row, indexedUpTo: number): VerifyEvent {
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
