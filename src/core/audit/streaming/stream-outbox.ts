import type { Tx } from '../../../storage/db/database.js';
import { insertRows, selectFixedShape } from '../../../storage/db/row-lookup.js';
import type { AuditRecord } from '../audit-types.js';

// Writes the streaming outbox rows of new events inside the events' own transaction (docs/architecture.md#the-one-write-path,
// docs/api.md#audit-event-streaming): they commit or vanish together, so no committed event can miss its deliveries. The
// destinations are read in that transaction too (no cache), so a destination created by one
// Trove process gets the events another process commits right after: one small query per
// distinct top-level group of the batch (the destinations table holds a handful of rows).

/**
 * The top-level group an event belongs to: a Group entity's full path starts with it (projects in
 * groups record into their parent group, docs/architecture.md#scope-and-visibility). Other entities reach instance destinations only.
 */
function rootGroupPath(record: Pick<AuditRecord, 'entity_type' | 'details'>): string | null {
  if (record.entity_type !== 'Group' || !record.details.entity_path) return null;
  return record.details.entity_path.split('/')[0];
}

async function destinationsFor(tx: Tx, rootPath: string | null): Promise<{ id: number; eventNames: string[] }[]> {
  // Compiled once per shape (every package write runs it): `active = ?` and, for a group, its path.
  const build = (path: string | null) =>
    tx
      .selectFrom('audit_stream_destinations')
      .select(['id', 'event_names'])
      .where('active', '=', 1)
      .where((eb) =>
        path === null
          ? eb('namespace_id', 'is', null)
          : eb.or([
              eb('namespace_id', 'is', null),
              eb('namespace_id', '=', eb.selectFrom('namespaces').select('id').where('full_path', '=', path).where('parent_id', 'is', null)),
            ]),
      );
  const rows =
    rootPath === null
      ? await selectFixedShape(tx, 'stream destinations of the instance', () => build(null), [1])
      : await selectFixedShape(tx, 'stream destinations of a group', () => build(''), [1, rootPath]);
  return rows.map((row) => ({ id: row.id, eventNames: JSON.parse(row.event_names) as string[] }));
}

/** For each record, the active destinations whose scope and event-name filter match it. */
export async function streamDestinationsOf(tx: Tx, records: readonly Pick<AuditRecord, 'entity_type' | 'details' | 'event_name'>[]): Promise<number[][]> {
  const byRoot = new Map<string | null, Awaited<ReturnType<typeof destinationsFor>>>();
  const matching: number[][] = [];
  for (const record of records) {
    const root = rootGroupPath(record);
    if (!byRoot.has(root)) byRoot.set(root, await destinationsFor(tx, root));
    matching.push(
      byRoot
        .get(root)!
        .filter((destination) => destination.eventNames.length === 0 || destination.eventNames.includes(record.event_name))
        .map((destination) => destination.id),
    );
  }
  return matching;
}

/** Queues each record for every active destination that gets it (streamDestinationsOf); returns those destinations. */
export async function queueForStreaming(tx: Tx, records: AuditRecord[]): Promise<number[]> {
  const destinations = await streamDestinationsOf(tx, records);
  const rows = records.flatMap((record, i) =>
    destinations[i]!.map((destination_id) => ({ destination_id, seq: record.seq, attempts: 0, next_attempt_at: record.created_at, last_error: null })),
  );
  // Compiled once per row count (row-lookup.ts): a publish to a group with a destination writes one.
  for (let i = 0; i < rows.length; i += OUTBOX_ROWS_PER_INSERT) await insertRows(tx, 'audit_stream_outbox', rows.slice(i, i + OUTBOX_ROWS_PER_INSERT));
  return [...new Set(rows.map((row) => row.destination_id))];
}

/** 5 bound values per row, far below both databases' parameter limits; at most this many compiled shapes. */
const OUTBOX_ROWS_PER_INSERT = 100;
