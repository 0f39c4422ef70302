import SQLite from 'better-sqlite3';
import { SqliteDialect, type CompiledQuery, type DatabaseConnection, type Driver, type QueryResult } from 'kysely';
import { StatementCache } from './statement-cache.js';
import { WriterConnection } from './writer-connection.js';

// The embedded default's driver. Kysely's own SQLite driver has one connection behind a mutex:
// every query, read or write, waits while any transaction is open, and every transaction pays its
// own fsync (synchronous=FULL) on the event loop's thread, since better-sqlite3 is synchronous.
// This driver keeps the same durability and isolation and removes both costs:
//
// - Writes run on the writer connection, on a thread of its own (writer-connection.ts).
// - Reads outside a transaction run on a read-only connection on the event loop's thread. In WAL
//   mode it sees the last committed state and never waits for the writer.
// - Group commit. Transactions still run one at a time on the writer connection, each inside a
//   savepoint. When one finishes while others wait for the writer (they queue up while a COMMIT
//   reaches the disk), its savepoint is released and the next one runs in the same SQLite
//   transaction. When nobody waits (or the batch is big or old enough), one COMMIT makes the
//   whole batch durable. Each caller's `execute()` resolves only after that COMMIT; a transaction
//   that fails rolls back to its own savepoint and leaves the others alone. So nothing is
//   acknowledged before it is on disk, nothing uncommitted is visible to a reader, and several
//   publishers share one fsync.
// - Transactions begin `immediate`. A deferred transaction that reads first and writes later
//   (every audit append reads max(seq) before its insert) cannot wait for the write lock when
//   another process (the `trove` CLI, a second server on the same file) committed in between:
//   SQLite answers SQLITE_BUSY at once instead of honouring busy_timeout.

/** A batch is committed when it holds this many transactions or is this old, even if others wait. */
const MAX_BATCH_TRANSACTIONS = 64;
const MAX_BATCH_MS = 20;
const SAVEPOINT = 'trove_tx';

/** First come, first served; `waiting` tells a finishing transaction whether to leave its batch open. */
class WriterMutex {
  #locked = false;
  readonly #queue: Array<() => void> = [];

  get waiting(): number {
    return this.#queue.length;
  }

  async lock(): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return;
    }
    await new Promise<void>((resolve) => this.#queue.push(resolve));
  }

  /** Hands the lock straight to the next waiter, if any. */
  unlock(): void {
    const next = this.#queue.shift();
    if (next) next();
    else this.#locked = false;
  }
}

/** What Kysely calls a connection: one per acquireConnection, so the driver knows who holds the writer. */
class Lease implements DatabaseConnection {
  holdsWriter = false;
  /** Its transaction joined a batch and passed the writer on before the batch's COMMIT. */
  handedOver = false;
  inTransaction = false;

  constructor(private readonly driver: GroupCommitSqliteDriver) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.driver.execute(this, query) as Promise<QueryResult<R>>;
  }

  streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    return this.driver.stream(this, query) as AsyncIterableIterator<QueryResult<R>>;
  }
}

interface Batch {
  openedAt: number;
  /** The transactions whose savepoints were released into this batch, waiting for its COMMIT. */
  members: Array<{ resolve: () => void; reject: (error: unknown) => void }>;
}

export interface GroupCommitOptions {
  /** The database file (WAL, synchronous=FULL: writer-thread.ts). */
  file: string;
  /** Told after each COMMIT how many transactions it made durable (tests, metrics). */
  onCommit?: (transactions: number) => void;
}

function openReader(file: string): StatementCache {
  const reader = new SQLite(file, { readonly: true });
  reader.pragma('busy_timeout = 5000');
  return new StatementCache(reader);
}

class GroupCommitSqliteDriver implements Driver {
  readonly #writer: WriterConnection;
  #reader: StatementCache | undefined;
  readonly #mutex = new WriterMutex();
  #batch: Batch | null = null;

  constructor(private readonly options: GroupCommitOptions) {
    this.#writer = new WriterConnection(options.file);
  }

  /** The writer creates the file and its WAL before the reader opens it. */
  async init(): Promise<void> {
    await this.#writer.ready;
    this.#reader = openReader(this.options.file);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new Lease(this);
  }

  private async holdWriter(lease: Lease): Promise<void> {
    if (lease.holdsWriter) return;
    await this.#mutex.lock();
    lease.holdsWriter = true;
  }

  private async write(sql: string, parameters: readonly unknown[] = []): Promise<QueryResult<unknown>> {
    return this.#writer.run(sql, parameters);
  }

  async execute(lease: Lease, query: CompiledQuery): Promise<QueryResult<unknown>> {
    if (lease.inTransaction) return this.write(query.sql, query.parameters);
    if (this.isReadOnly(query.sql)) return this.#reader!.run(query.sql, query.parameters);
    // A write outside a transaction commits on its own, so the open batch goes to disk first.
    await this.holdWriter(lease);
    await this.commitBatch();
    return this.write(query.sql, query.parameters);
  }

  /** Whether a statement only reads (prepared on the reader, which keeps it for running it). */
  private isReadOnly(sql: string): boolean {
    try {
      return this.#reader!.prepare(sql).readonly;
    } catch {
      return false; // e.g. a table this process is creating: the writer will prepare it
    }
  }

  async *stream(lease: Lease, query: CompiledQuery): AsyncIterableIterator<QueryResult<unknown>> {
    if (lease.inTransaction) {
      for (const row of (await this.write(query.sql, query.parameters)).rows) yield { rows: [row] };
      return;
    }
    // A connection of its own: better-sqlite3 refuses other statements on a connection whose
    // iterator is open, and other reads run between this stream's rows.
    const reader = openReader(this.options.file);
    try {
      for (const row of reader.prepare(query.sql).iterate(query.parameters as unknown[])) yield { rows: [row] };
    } finally {
      reader.file.close();
    }
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease;
    await this.holdWriter(lease);
    if (this.#batch) {
      await this.#writer.script(`savepoint ${SAVEPOINT}`);
    } else {
      await this.#writer.script(`begin immediate; savepoint ${SAVEPOINT}`);
      this.#batch = { openedAt: Date.now(), members: [] };
    }
    lease.inTransaction = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease;
    const batch = this.#batch!;
    const committed = new Promise<void>((resolve, reject) => batch.members.push({ resolve, reject }));
    const roomLeft = batch.members.length < MAX_BATCH_TRANSACTIONS && Date.now() - batch.openedAt < MAX_BATCH_MS;
    lease.inTransaction = false;
    if (this.#mutex.waiting > 0 && roomLeft) {
      await this.write(`release ${SAVEPOINT}`);
      lease.handedOver = true;
      this.#mutex.unlock();
    } else {
      await this.commitBatch(`release ${SAVEPOINT}; `);
    }
    return committed;
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease;
    if (!lease.inTransaction) return; // its batch's COMMIT failed: already rolled back
    lease.inTransaction = false;
    try {
      await this.write(`rollback to ${SAVEPOINT}`);
      await this.write(`release ${SAVEPOINT}`);
    } catch (error) {
      // SQLite rolled the whole transaction back itself (an I/O error, a full disk): the batch is lost.
      await this.abortBatch(error);
    }
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease;
    if (!lease.holdsWriter || lease.handedOver) return;
    // Whoever waits next (a transaction joins the batch, a lone write commits it first) or nobody.
    if (this.#mutex.waiting === 0) await this.commitBatch();
    lease.holdsWriter = false;
    this.#mutex.unlock();
  }

  /** Makes the open batch durable (one COMMIT, one fsync) and answers its members; `before` runs first, in the same message. */
  private async commitBatch(before = ''): Promise<void> {
    const batch = this.#batch;
    if (!batch) return;
    try {
      await this.#writer.script(before + (batch.members.length > 0 ? 'commit' : 'rollback'));
    } catch (error) {
      await this.abortBatch(error);
      return;
    }
    this.#batch = null;
    if (batch.members.length > 0) this.options.onCommit?.(batch.members.length);
    for (const member of batch.members) member.resolve();
  }

  private async abortBatch(error: unknown): Promise<void> {
    const batch = this.#batch;
    this.#batch = null;
    try {
      await this.write('rollback');
    } catch {
      // SQLite had rolled it back already
    }
    for (const member of batch?.members ?? []) member.reject(error);
  }

  async destroy(): Promise<void> {
    await this.commitBatch();
    this.#reader?.file.close();
    await this.#writer.close();
  }
}

export class GroupCommitSqliteDialect extends SqliteDialect {
  constructor(private readonly options: GroupCommitOptions) {
    // Kysely's dialect wants a database for its own driver, which createDriver replaces.
    super({ database: {} as never });
  }

  override createDriver(): Driver {
    return new GroupCommitSqliteDriver(this.options);
  }
}
