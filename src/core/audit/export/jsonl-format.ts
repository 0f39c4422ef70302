import { toRecord, type StoredEvent } from '../audit-query.js';
import type { ExportFormat } from './export-format.js';

// One record per line, exactly as the audit events API serves it, leaf_hash included, so that
// `trove audit verify` can recompute each leaf and the Merkle roots of the checkpoints (SPEC 4.8).

/**
 * The API's record, `{...record, leaf_hash}`, written without parsing the stored JSON: it was
 * written by JSON.stringify, so appending the leaf hash gives the same text as parsing and
 * stringifying again, at a fraction of the memory churn (what keeps large exports flat).
 */
function servedJson(event: StoredEvent): string {
  if (event.record.includes('"leaf_hash":')) return JSON.stringify(toRecord(event)); // never stored today; stay exact if it ever is
  return `${event.record.slice(0, -1)},"leaf_hash":${JSON.stringify(event.leaf_hash)}}`;
}

export const jsonlFormat: ExportFormat = {
  name: 'jsonl',
  extension: 'jsonl',
  contentType: 'application/x-ndjson; charset=utf-8',
  render: (events) => events.map((e) => `${servedJson(e)}\n`).join(''),
};
