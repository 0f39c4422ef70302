import type { Logger } from 'pino';
import { lastAuditSeq } from '../../storage/db/audit-append.js';
import type { Db, Queryable, Tx } from '../../storage/db/database.js';
import { isPostgres } from '../../storage/db/dialect-types.js';
import { selectFixedShape } from '../../storage/db/row-lookup.js';

// SQLite: puts the audit events written since the last run into the filter indexes, a batch per
// transaction (migration 012 says why). Until then listings find them by id after the progress
// mark (audit-query.ts), so nothing waits on this for correctness; it only keeps that tail short.
// One process per SQLite database (the startup lock), so no lease is needed. PostgreSQL indexes
// at insert and has nothing to do here.

export interface AuditIndexerOptions {
  /** How often the tail is indexed. A tail of a quarter second of publishes is a few hundred rows. */
  intervalMs: number;
  /** Events per transaction: short enough that a package write never waits long for the lock. */
  batchSize: number;
}

const DEFAULTS: AuditIndexerOptions = { intervalMs: 250, batchSize: 2000 };

export class AuditIndexer {
  private readonly options: AuditIndexerOptions;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  /** The progress mark as last seen: an idle run compares it with the head and writes nothing. */
  private indexedThrough = -1;

  constructor(
    private readonly db: Db,
    private readonly log: Pick<Logger, 'error'>,
    options: Partial<AuditIndexerOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** Indexes what the last run left (a crash, a generator) at once, then every interval. */
  start(): void {
    if (this.timer || isPostgres(this.db)) return;
    this.timer = setInterval(() => void this.indexLogged(), this.options.intervalMs);
    this.timer.unref();
    void this.indexLogged();
  }

  /**
   * Stops the timer and indexes what is left, so that the next start (or a tool writing to the
   * database meanwhile) begins without a tail. The database is closed next.
   */
  async stop(): Promise<void> {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
    await this.indexLogged();
  }

  /** A failed run loses nothing: the events stay in the tail, and the next run retries. */
  private async indexLogged(): Promise<void> {
    try {
      await this.indexPending();
    } catch (error) {
      this.log.error({ err: error }, 'indexing audit events failed; listings still find them by id');
    }
  }

  /** Indexes every event written so far, batch by batch; returns how many were indexed. */
  indexPending(): Promise<number> {
    if (isPostgres(this.db)) return Promise.resolve(0);
    // One run at a time: a slow run (a large catch-up) must not overlap the next tick's.
    this.running ??= this.indexAll().finally(() => (this.running = null));
    return this.running;
  }

  private async indexAll(): Promise<number> {
    let total = 0;
    for (;;) {
      if ((await lastAuditSeq(this.db)) <= this.indexedThrough) return total;
      const { indexed, through } = await this.indexBatch();
      total += indexed;
      this.indexedThrough = through;
    }
  }

  /**
   * One transaction: the next batch of events after the mark that are not indexed yet get
   * indexed = 1 (SQLite then adds them to every partial index), and the mark moves past them.
   * Events that large batches indexed at insert are stepped over in the same scan by id, however
   * many (a million generated ones cost one scan, not a transaction per batch size).
   */
  private async indexBatch(): Promise<{ indexed: number; through: number }> {
    return this.db.transaction().execute(async (tx) => {
      const mark = await indexedThrough(tx);
      const last = await tx
        .selectFrom('audit_events')
        .select('id')
        .where('id', '>', mark)
        .where('indexed', '=', 0)
        .orderBy('id')
        .limit(1)
        .offset(this.options.batchSize - 1)
        .executeTakeFirst();
      // Fewer than a batch left: through the newest event.
      const through = last ? Number(last.id) : await lastAuditSeq(tx);
      if (through <= mark) return { indexed: 0, through: mark };
      const result = await tx
        .updateTable('audit_events')
        .set({ indexed: 1 })
        .where('id', '>', mark)
        .where('id', '<=', through)
        .where('indexed', '=', 0)
        .executeTakeFirst();
      await tx.updateTable('audit_index_progress').set({ indexed_through: through }).where('id', '=', 1).execute();
      return { indexed: Number(result.numUpdatedRows), through };
    });
  }
}

/**
 * The indexer's mark: every event up to it is in the filter indexes, for good (the mark only
 * moves up, `indexed` only from 0 to 1), so a value read once stays true while a query runs.
 */
export async function indexedThrough(db: Queryable): Promise<number> {
  const [row] = await selectFixedShape(db, 'audit index mark', () => db.selectFrom('audit_index_progress').select('indexed_through').where('id', '=', 1), [1]);
  return Number(row?.indexed_through ?? 0);
}

/**
 * A batch indexed at insert (first..last) right after the mark moves the mark past itself, in
 * the writer's transaction: then listings do not scan it as a tail, nor the indexer step over it.
 */
export async function markIndexedAtInsert(tx: Tx, first: number, last: number): Promise<void> {
  await tx.updateTable('audit_index_progress').set({ indexed_through: last }).where('id', '=', 1).where('indexed_through', '=', first - 1).execute();
}
