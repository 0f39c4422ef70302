import { openDatabase, type DatabaseOptions } from '../../storage/db/database.js';
import { isWorkerFor, JobWorker, serveJobs, workerDataOf } from '../workers/job-worker.js';
import { AuditLog } from './audit-log.js';
import type { InstanceDefaults } from './audit-settings.js';
import type { AuditContext, AuditEventInput } from './audit-types.js';

// Writes batches of download events on a worker thread with its own database connection, so that
// building the records (canonical JSON, leaf hash, ids) and the insert and commit of a batch do not
// hold up the thread serving downloads. Measured with the benchmark's download figure: writing
// the batches on the serving thread cost about a quarter of its throughput (0.70-0.77 of the
// throughput with events off); the same server with the writes left out reached 0.99-1.0.
//
// Each batch is one transaction through AuditLog.recordBatch, exactly as on the main thread: same
// setting check, same append lock (SQLite: BEGIN IMMEDIATE on the file, which the server's own
// connection also takes; PostgreSQL: the advisory lock), contiguous seq, streaming outbox rows in
// the same transaction. The thread starts when a namespace that records downloads is first seen
// (not at all on a Trove that records none), and again after it died.

const ROLE = 'download-event-writer';

/** One queued download event: what AuditLog.recordBatch takes. */
export interface PendingDownloadEvent {
  ctx: AuditContext;
  input: AuditEventInput;
}

interface WriterData {
  database: DatabaseOptions;
  defaults: InstanceDefaults;
}

// The batch travels as JSON text: copying one string to the thread is cheap, while the structured
// clone of a thousand small object graphs cost the serving thread 6-7% of its time under the
// download benchmark (its CPU profile), more than JSON.stringify. The events are plain JSON data.
type WriterJob = { type: 'write'; batch: string } | { type: 'start' } | { type: 'close' };

interface WriteResult {
  /** Events recorded (those whose scope turned package events off are not). */
  written: number;
  /** Whether streaming outbox rows were written: the main thread's delivery worker is nudged. */
  queuedForStreaming: boolean;
}

if (isWorkerFor(ROLE)) {
  const { database, defaults } = workerDataOf<WriterData>();
  const db = openDatabase(database);
  const audit = new AuditLog(defaults);
  let queuedForStreaming = false;
  audit.outboxSignal.subscribe(() => (queuedForStreaming = true));
  serveJobs(async (job: WriterJob): Promise<WriteResult> => {
    if (job.type === 'start') return { written: 0, queuedForStreaming: false };
    if (job.type === 'close') {
      await db.destroy();
      return { written: 0, queuedForStreaming: false };
    }
    queuedForStreaming = false;
    const batch = JSON.parse(job.batch) as PendingDownloadEvent[];
    const written = await db.transaction().execute((tx) => audit.recordBatch(tx, batch));
    return { written, queuedForStreaming };
  });
}

export class DownloadEventWriter {
  #worker: JobWorker<WriterJob, WriteResult> | null = null;

  /** `onQueuedForStreaming` runs after a batch that queued streaming deliveries has committed. */
  constructor(
    private readonly data: WriterData,
    private readonly onQueuedForStreaming: () => void,
  ) {}

  /** Whether its thread is running (it is started on demand). */
  get running(): boolean {
    return this.#worker !== null && !this.#worker.ended;
  }

  private worker(): JobWorker<WriterJob, WriteResult> {
    if (!this.#worker || this.#worker.ended) this.#worker = new JobWorker({ moduleUrl: import.meta.url, role: ROLE, data: this.data });
    return this.#worker;
  }

  /**
   * Starts the thread if it is not running; resolves when it answers. Starting takes a moment
   * (a thread, its modules, a connection), which the first batch then does not wait for.
   */
  async start(): Promise<void> {
    await this.worker().run({ type: 'start' });
  }

  /** Writes one batch in one transaction; resolves with the events recorded, rejects if it rolled back. */
  async write(batch: PendingDownloadEvent[]): Promise<number> {
    const result = await this.worker().run({ type: 'write', batch: JSON.stringify(batch) });
    if (result.queuedForStreaming) this.onQueuedForStreaming();
    return result.written;
  }

  /** Closes the thread's database connection and ends the thread (after the batch being written). */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    if (!worker || worker.ended) return;
    await worker.run({ type: 'close' }).catch(() => undefined);
    await worker.close();
  }
}
