import type { StoredEvent } from '../audit-query.js';
import type { ExportHeader } from './export-audit.js';
import type { RecordProofs } from './export-proofs.js';

/** What each export format implements (docs/api.md#audit-export); export-stream.ts feeds it batches, oldest first. */
export interface ExportFormat {
  name: string;
  /** File name extension of a download, without the dot. */
  extension: string;
  contentType: string;
  /** Text before the first record (the CSV header), if the format has one. */
  preamble?(): string;
  /**
   * The first line of a filtered export (JSONL only): says that events are left out on purpose,
   * so that `trove audit verify` does not take the gaps for deletions (docs/architecture.md#tamper-evidence).
   */
  header?(header: ExportHeader): string;
  /** True when the format can carry inclusion proofs (`proofs=true`, export-proofs.ts): JSONL only. */
  proofs?: boolean;
  /**
   * The text of consecutive events (audit-query's toRecord gives the served record); each ends
   * with a newline. `proofs`, only given to a format with `proofs: true`, adds inclusion proofs.
   */
  render(events: StoredEvent[], proofs?: RecordProofs): string;
  /**
   * True when render costs more than reading the events (CSV parses every stored record): an
   * export of more than a page renders on a worker thread (render-worker.ts), same text.
   */
  renderOffThread?: boolean;
}

/** Who produced the records, as OCSF metadata.product and CEF's header name it. Kept in step with package.json. */
export const PRODUCT = { name: 'Trove', vendorName: 'Trove', version: '0.1.0' } as const;
