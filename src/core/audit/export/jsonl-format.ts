import { toRecord, type StoredEvent } from '../audit-query.js';
import type { ExportFormat } from './export-format.js';
import type { RecordProofs } from './export-proofs.js';

// One record per line, exactly as the audit events API serves it, leaf_hash included, so that
// `trove audit verify` can recompute each leaf and the Merkle roots of the checkpoints (docs/architecture.md#tamper-evidence).
// With proofs=true, a record sealed by the pinned checkpoint at the start or end of a run of
// consecutive seqs also carries its "inclusion_proof" (export-proofs.ts), which the verifier
// takes off again before hashing the record.
// A filtered export (a group or project, or any filter) starts with one line that is not a
// record, {"audit_export": {"filtered": true, ...}} (export-audit.ts exportHeader): the verifier
// reads it to tell events left out by the filter from deleted ones. An export of the whole log
// has no such line: every line is a record.

/**
 * The API's record, `{...record, leaf_hash}`, written without parsing the stored JSON: it was
 * written by JSON.stringify, so appending the leaf hash gives the same text as parsing and
 * stringifying again, at a fraction of the memory churn (what keeps large exports flat).
 */
function servedJson(event: StoredEvent, proof: ReturnType<RecordProofs['proofAt']>): string {
  if (event.record.includes('"leaf_hash":') || event.record.includes('"inclusion_proof":')) {
    // never stored today; stay exact if it ever is
    return JSON.stringify(proof ? { ...toRecord(event), inclusion_proof: proof } : toRecord(event));
  }
  return `${event.record.slice(0, -1)},"leaf_hash":${JSON.stringify(event.leaf_hash)}${proof ? `,"inclusion_proof":${JSON.stringify(proof)}` : ''}}`;
}

export const jsonlFormat: ExportFormat = {
  name: 'jsonl',
  extension: 'jsonl',
  contentType: 'application/x-ndjson; charset=utf-8',
  proofs: true,
  header: (header) => `${JSON.stringify({ audit_export: header })}\n`,
  render: (events, proofs) => events.map((e, i) => `${servedJson(e, proofs?.proofAt(i))}\n`).join(''),
};
