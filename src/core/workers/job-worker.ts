import { isMainThread, parentPort, Worker, workerData, type ResourceLimits, type Transferable } from 'node:worker_threads';

// A worker thread that runs jobs one after the other and answers each in order: what the CSV
// export's renderer (src/core/audit/export/render-worker.ts) and the download event writer
// (src/core/audit/download-event-writer.ts) use to move work off the thread that serves requests.
// The module that calls `serveJobs` is both: imported on the main thread it is the client, started
// as the worker's entry (with its role in workerData) it serves.

interface Reply<Result> {
  result?: Result;
  error?: string;
}

/**
 * The worker's entry for a module. Compiled (dist, .js; or bundled, as the evidence pack's
 * verify.mjs) it is the file itself; run from source
 * (tsx: tests, bench scripts) the worker has no TypeScript loader of its own (Node 20 does not
 * carry --import hooks into workers), so a bootstrap registers tsx's there first.
 */
function workerEntry(moduleUrl: string): URL | string {
  const self = new URL(moduleUrl);
  if (/\.m?js$/.test(self.pathname)) return self;
  return `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(self.href)}); });`;
}

/** Whether this thread is a worker started for `role` (see JobWorker's `role`). */
export function isWorkerFor(role: string): boolean {
  return !isMainThread && parentPort !== null && (workerData as { role?: unknown } | null)?.role === role;
}

/** The data the worker was started with (JobWorker's `data`). */
export function workerDataOf<Data>(): Data {
  return (workerData as { data: Data }).data;
}

/** In the worker: answers each job with `handle`'s result, one job at a time, in arrival order. */
export function serveJobs<Job, Result>(handle: (job: Job) => Result | Promise<Result>): void {
  const port = parentPort!;
  let previous: Promise<unknown> = Promise.resolve();
  port.on('message', (job: Job) => {
    previous = previous.then(async () => {
      try {
        port.postMessage({ result: await handle(job) } satisfies Reply<Result>);
      } catch (error) {
        port.postMessage({ error: error instanceof Error ? error.message : String(error) } satisfies Reply<Result>);
      }
    });
  });
}

export interface JobWorkerOptions<Data> {
  /** import.meta.url of the module that calls serveJobs when `isWorkerFor(role)`. */
  moduleUrl: string;
  role: string;
  data: Data;
  resourceLimits?: ResourceLimits;
}

/** The main thread's side: jobs are answered in the order given, one result (or error) per job. */
export class JobWorker<Job, Result> {
  readonly #worker: Worker;
  readonly #waiting: { resolve: (result: Result) => void; reject: (error: Error) => void }[] = [];
  #failure: Error | undefined;

  constructor(options: JobWorkerOptions<unknown>) {
    const entry = workerEntry(options.moduleUrl);
    this.#worker = new Worker(entry, { eval: typeof entry === 'string', workerData: { role: options.role, data: options.data }, resourceLimits: options.resourceLimits });
    this.#worker.on('message', (reply: Reply<Result>) => {
      const waiting = this.#waiting.shift();
      if (reply.error !== undefined) waiting?.reject(new Error(reply.error));
      else waiting?.resolve(reply.result as Result);
    });
    const fail = (error: Error) => {
      this.#failure ??= error;
      for (const waiting of this.#waiting.splice(0)) waiting.reject(error);
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`the ${options.role} worker exited (${code})`)));
  }

  /** Whether the thread has ended (it failed, exited or was closed): it takes no more jobs. */
  get ended(): boolean {
    return this.#failure !== undefined;
  }

  /**
   * The job's result. The job is copied to the worker at once, so the caller may reuse it (except
   * what `transfer` moves there: it is no longer usable here). A result
   * the caller no longer awaits (it gave up, or close() came first) may reject unheard.
   */
  run(job: Job, transfer: Transferable[] = []): Promise<Result> {
    const result = this.#failure
      ? Promise.reject(this.#failure)
      : new Promise<Result>((resolve, reject) => {
          this.#waiting.push({ resolve, reject });
          this.#worker.postMessage(job, transfer);
        });
    result.catch(() => undefined);
    return result;
  }

  /** Stops the thread at once; a job still running is dropped (its promise rejects). */
  async close(): Promise<void> {
    this.#failure ??= new Error('the worker was closed');
    for (const waiting of this.#waiting.splice(0)) waiting.reject(this.#failure);
    await this.#worker.terminate();
  }
}
