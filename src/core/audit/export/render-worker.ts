import { isWorkerFor, JobWorker, serveJobs, workerDataOf } from '../../workers/job-worker.js';
import type { StoredEvent } from '../audit-query.js';
import { exportFormatNamed } from './export-formats.js';

// Renders pages of an export on a worker thread: the worker runs the format's own `render` on
// the same stored events, so its text is the main thread's to the byte, while the main thread
// reads the next page and writes the previous one. For CSV, whose render parses every stored
// record (JSON.parse was about 40% of the server's CPU in a CSV export, the SQLite reads 25%),
// this is what lets the export use a second core (export-stream.ts).

const ROLE = 'export-render';

interface Job {
  events: StoredEvent[];
}

// This module is also the worker's entry: started for ROLE with a format name, it serves render jobs.
if (isWorkerFor(ROLE)) {
  const format = exportFormatNamed(workerDataOf<string>());
  serveJobs((job: Job) => format.render(job.events));
}

/** One export's worker: pages are rendered in the order given, one result per page. */
export class RenderWorker {
  readonly #jobs: JobWorker<Job, string>;

  constructor(formatName: string) {
    // A small young generation: each page's parsed records die at once, and the export's memory
    // target (200 MB of RSS for the whole server) has room for a small heap only.
    this.#jobs = new JobWorker({ moduleUrl: import.meta.url, role: ROLE, data: formatName, resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 } });
  }

  /**
   * The page's text; the events are copied to the worker at once, so the caller may reuse the
   * array. A page the caller no longer awaits (its export failed or ended) may reject unheard.
   */
  render(events: StoredEvent[]): Promise<string> {
    return this.#jobs.run({ events });
  }

  /** Stops the worker; a page still rendering is dropped. */
  close(): Promise<void> {
    return this.#jobs.close();
  }
}
