import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { StatementResult } from './statement-cache.js';

// better-sqlite3 is synchronous: on the event loop's thread, each COMMIT's fsync (synchronous=FULL)
// stops every other request for a millisecond or more. The writer connection therefore lives on a
// worker thread (writer-thread.ts) and is driven by messages, one statement at a time: the event
// loop serves reads and other requests while a commit reaches the disk, and the transactions that
// arrive meanwhile form the next group commit (group-commit-dialect.ts).

export interface WriterRequest {
  id: number;
  sql: string;
  parameters: readonly unknown[];
  /** `sql` holds several statements without parameters (one message for BEGIN and SAVEPOINT...). */
  script?: true;
  /** Close the connection (a clean shutdown: SQLite checkpoints and removes its WAL). */
  close?: true;
}

export type WriterReply = { id: number; result: StatementResult; error?: undefined } | { id: number; error: { message: string; code: unknown; name?: string } };

/** An error from the writer thread, with SQLite's code (SQLITE_CONSTRAINT_UNIQUE...) as better-sqlite3 gives it. */
export class SqliteWriterError extends Error {
  constructor(
    message: string,
    readonly code: unknown,
  ) {
    super(message);
    this.name = 'SqliteError';
  }
}

/** The compiled thread (dist/), or its source under tsx (tests run the sources). */
function startWriterThread(file: string): Worker {
  const compiled = new URL('./writer-thread.js', import.meta.url);
  if (existsSync(fileURLToPath(compiled))) return new Worker(compiled, { workerData: { file } });
  const source = new URL('./writer-thread.ts', import.meta.url).href;
  const load = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(load, { eval: true, workerData: { file } });
}

export class WriterConnection {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, { resolve: (result: StatementResult) => void; reject: (error: Error) => void }>();
  #nextId = 1;
  readonly ready: Promise<void>;

  constructor(file: string) {
    this.#worker = startWriterThread(file);
    this.ready = new Promise<void>((resolve, reject) => {
      this.#waiting.set(0, { resolve: () => resolve(), reject });
      this.#worker.once('error', reject);
    });
    this.#worker.on('message', (reply: WriterReply) => {
      const waiter = this.#waiting.get(reply.id);
      this.#waiting.delete(reply.id);
      if (this.#waiting.size === 0) this.#worker.unref(); // an idle writer does not keep the process alive
      if (reply.error) waiter?.reject(new SqliteWriterError(reply.error.message, reply.error.code));
      else waiter?.resolve(reply.result);
    });
    this.#worker.on('error', (error) => {
      for (const waiter of this.#waiting.values()) waiter.reject(error);
      this.#waiting.clear();
    });
  }

  run(sql: string, parameters: readonly unknown[] = []): Promise<StatementResult> {
    return this.#send({ sql, parameters });
  }

  /** Several statements without parameters, run in one message. */
  async script(sql: string): Promise<void> {
    await this.#send({ sql, parameters: [], script: true });
  }

  async close(): Promise<void> {
    await this.#send({ sql: '', parameters: [], close: true });
    await this.#worker.terminate();
  }

  #send(request: Omit<WriterRequest, 'id'>): Promise<StatementResult> {
    const id = this.#nextId++;
    if (this.#waiting.size === 0) this.#worker.ref();
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#worker.postMessage({ ...request, id } satisfies WriterRequest);
    });
  }
}
