import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { StoredEvent } from '../audit-query.js';
import { exportFormatNamed } from './export-formats.js';

// Renders pages of an export on a worker thread: the worker runs the format's own `render` on
// the same stored events, so its text is the main thread's to the byte, while the main thread
// reads the next page and writes the previous one. For CSV, whose render parses every stored
// record (JSON.parse was about 40% of the server's CPU in a CSV export, the SQLite reads 25%),
// this is what lets the export use a second core (export-stream.ts).

interface Job {
  events: StoredEvent[];
}

// This module is also the worker's entry: started with `{ renderFormat }`, it serves render jobs.
if (!isMainThread && parentPort && (workerData as { renderFormat?: unknown } | null)?.renderFormat) {
  const format = exportFormatNamed((workerData as { renderFormat: string }).renderFormat);
  const port = parentPort;
  port.on('message', (job: Job) => {
    try {
      port.postMessage({ text: format.render(job.events) });
    } catch (error) {
      port.postMessage({ error: error instanceof Error ? error.message : String(error) });
    }
  });
}

/**
 * This module as the worker's entry. Compiled (dist, .js) it is the file itself; run from source
 * (tsx: tests, bench scripts) the worker has no TypeScript loader of its own (Node 20 does not
 * carry --import hooks into workers), so a bootstrap registers tsx's there first.
 */
function workerEntry(): URL | string {
  const self = new URL(import.meta.url);
  if (self.pathname.endsWith('.js')) return self;
  return `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(self.href)}); });`;
}

/** One export's worker: pages are rendered in the order given, one result per page. */
export class RenderWorker {
  readonly #worker: Worker;
  readonly #waiting: { resolve: (text: string) => void; reject: (error: Error) => void }[] = [];
  #failure: Error | undefined;

  constructor(formatName: string) {
    // A small young generation: each page's parsed records die at once, and the export's memory
    // target (200 MB of RSS for the whole server) has room for a small heap only.
    const entry = workerEntry();
    this.#worker = new Worker(entry, {
      eval: typeof entry === 'string',
      workerData: { renderFormat: formatName },
      resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 },
    });
    this.#worker.on('message', (reply: { text?: string; error?: string }) => {
      const waiting = this.#waiting.shift();
      if (reply.error !== undefined) waiting?.reject(new Error(reply.error));
      else waiting?.resolve(reply.text ?? '');
    });
    const fail = (error: Error) => {
      this.#failure ??= error;
      for (const waiting of this.#waiting.splice(0)) waiting.reject(error);
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`the export's render worker exited (${code})`)));
  }

  /**
   * The page's text; the events are copied to the worker at once, so the caller may reuse the
   * array. A page the caller no longer awaits (its export failed or ended) may reject unheard.
   */
  render(events: StoredEvent[]): Promise<string> {
    const text = this.#failure
      ? Promise.reject(this.#failure)
      : new Promise<string>((resolve, reject) => {
          this.#waiting.push({ resolve, reject });
          this.#worker.postMessage({ events } satisfies Job);
        });
    text.catch(() => undefined);
    return text;
  }

  /** Stops the worker; a page still rendering is dropped (its promise never settles). */
  async close(): Promise<void> {
    this.#failure ??= new Error('the export ended');
    this.#waiting.length = 0;
    await this.#worker.terminate();
  }
}
