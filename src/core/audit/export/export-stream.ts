import type { Db } from '../../../storage/db/database.js';
import { listStoredEventsOldestFirst, type AuditFilters, type AuditView, type StoredEvent } from '../audit-query.js';
import type { ExportHeader } from './export-audit.js';
import type { ExportFormat } from './export-format.js';
import type { PinnedProofs } from './export-proofs.js';
import { RenderWorker } from './render-worker.js';

// Rows read per query, and rows per chunk handed to the stream. Small pages and chunks of some
// tens of KB keep what is alive at any moment small, so little survives into V8's old space:
// measured, pages of 500-2000 rows grew the server's RSS by 20-40 MB more than pages of 100.
const PAGE = 100;
const CHUNK = 50;
/** Pages the render worker has in hand (one rendering, one waiting) before this thread renders too. */
const WORKER_PAGES = 2;
/** Rendered or rendering pages kept in order before the front one is waited for. */
const MAX_QUEUED_PAGES = 4;

interface QueuedPage {
  text: string | Promise<string>;
  count: number;
  /** Whether `text` is there (rendered here, or the worker's answer came). */
  ready: boolean;
}

/**
 * The text of an export, chunk by chunk: one keyset page at a time, so memory stays constant
 * whatever the size of the log (docs/api.md#audit-export); a consumer that reads slowly (a Node stream with
 * back-pressure) simply pauses the paging.
 *
 * Oldest first, by seq: the order of the log itself, so a JSONL export can be verified as it is
 * read (seq contiguity, the Merkle tree built leaf by leaf, checkpoints met in order) and appended
 * to an earlier export without re-sorting. The end is fixed by `filters.throughId`: events
 * appended while the export runs (its own audit event included) are not part of it.
 * With `proofs`, memory is no longer constant: the pinned tree is held (export-proofs.ts).
 */
export async function* exportChunks(
  db: Db,
  view: AuditView,
  filters: AuditFilters,
  format: ExportFormat,
  onProgress?: (exported: number) => void,
  /** proofs=true (JSONL): inclusion proofs against the checkpoint pinned before the export began. */
  proofs?: PinnedProofs,
  /** A filtered export's header line (export-audit.ts exportHeader), for the formats that write one. */
  header?: ExportHeader | null,
): AsyncGenerator<string> {
  if (proofs && !format.proofs) throw new Error(`the ${format.name} export format cannot carry inclusion proofs`);
  if (format.preamble) yield format.preamble();
  if (header && format.header) yield format.header(header);
  let afterId = 0;
  let exported = 0;
  /** After a page's text was handed on: progress counts its events. */
  const handedOn = (count: number) => {
    if (count === 0) return;
    exported += count;
    onProgress?.(exported);
  };
  // From the second page on, a format that renders off the main thread (CSV) keeps a worker busy
  // with pages while this thread reads the next ones and writes the rendered ones; a page read
  // while the worker already has WORKER_PAGES in hand is rendered here instead, so that both
  // threads render and neither waits (CSV: the worker alone rendered ~9 µs an event, the bottleneck,
  // while this thread sat idle half the time). Pages are handed on in order. A one-page export
  // renders here, without starting a worker.
  let worker: RenderWorker | undefined;
  const queued: QueuedPage[] = [];
  /** With proofs: the record held back for the next page, and the seq of the last record written. */
  let held: StoredEvent | undefined;
  let renderedSeq: number | null = null;
  // Pages rendered here are queued ready, so the pages still at the worker are the unready ones.
  const atWorker = () => queued.filter((page) => !page.ready).length;
  const renderAtWorker = (to: RenderWorker, events: StoredEvent[]): QueuedPage => {
    const text = to.render(events);
    const page: QueuedPage = { text, count: events.length, ready: false };
    const settled = () => (page.ready = true);
    text.then(settled, settled);
    return page;
  };
  try {
    for (;;) {
      const events = await listStoredEventsOldestFirst(db, view, filters, { limit: PAGE, afterId });
      const count = events.length;
      const last = count < PAGE;
      if (count > 0) afterId = events[count - 1].id;
      if (!worker && !last && format.renderOffThread && !proofs) worker = new RenderWorker(format.name);
      if (worker) {
        // The worker's answers arrive as messages, seen only when this thread gets back to the
        // event loop, which reading and rendering in a row may not do for many pages: look first.
        if (atWorker() >= WORKER_PAGES) await new Promise((resolve) => setImmediate(resolve));
        if (count > 0) queued.push(atWorker() < WORKER_PAGES ? renderAtWorker(worker, events) : { text: format.render(events), count, ready: true });
        // Hand on the front while it is ready; wait for it when enough pages are queued, or at the end.
        while (queued.length > 0 && (queued[0].ready || queued.length > MAX_QUEUED_PAGES || last)) {
          const page = queued.shift()!;
          yield await page.text;
          handedOn(page.count);
        }
      } else if (proofs) {
        // Whether a record ends a run of consecutive seqs (and so carries a proof) depends on the
        // record after it: a page's last record waits for the next page.
        const batch = held ? [held, ...events] : events;
        held = last ? undefined : batch.pop();
        for (let i = 0; i < batch.length; i += CHUNK) {
          const chunk = batch.slice(i, i + CHUNK);
          const after = batch[i + CHUNK]?.id ?? held?.id ?? null;
          yield format.render(chunk, proofs.ofRecords(chunk.map((e) => e.id), renderedSeq, after));
          renderedSeq = chunk[chunk.length - 1].id;
        }
        handedOn(batch.length);
      } else {
        for (let i = 0; i < count; i += CHUNK) yield format.render(events.slice(i, i + CHUNK));
        handedOn(count);
      }
      // Empty the page's array once rendered (or copied to the worker): on PostgreSQL it is the
      // driver's own result array, still referenced by pg's promise for the query, which V8 has
      // often already moved to the old generation; a dead old object keeps what it points to
      // alive through every young collection, so each page's rows (their strings) were promoted
      // too and only freed by a full collection (RSS +68-104 MB for 200k events, against +17 MB
      // once emptied, measured).
      events.length = 0;
      if (last) break;
    }
  } finally {
    await worker?.close();
  }
}
