import type { Logger } from 'pino';
import type { StreamingConfig } from '../../../config/config.js';
import type { Db } from '../../../storage/db/database.js';
import type { BackgroundJob } from '../../jobs/job-scheduler.js';
import type { AuditLog } from '../audit-log.js';
import type { AddressPolicy } from './destination-address.js';
import { backlogHead, readBacklog } from './checkpoint-records.js';
import { deliver } from './delivery-request.js';
import { markDelivered, markFailed } from './delivery-outcomes.js';
import { deactivateGoneDestination } from './destination-store.js';

/**
 * Delivers the streaming outbox (docs/api.md#audit-event-streaming). One process per database delivers: the leader of the
 * background job scheduler (src/core/jobs), which calls leaderJob() on every tick (<= 1 s) while
 * it holds the "scheduler" lease. Reusing that lease adds no database write of its own (on SQLite
 * every extra writer makes a CLI beside the server more likely to meet a busy database). When the
 * leader dies another process takes over after the lease lapses and resumes from the outbox.
 * Each destination has one lane that sends its lowest seq, and only after a 2xx the next one:
 * per-destination order. Lanes of different destinations run side by side, so a dead destination
 * holds up nothing but itself, and publishes never wait for deliveries at all.
 */
export class StreamingWorker {
  /** When the scheduler last told us that this process leads. */
  private leaderSeenAt = 0;
  private stopped = false;
  private readonly lanes = new Map<number, Promise<void>>();
  /** Counts wake-ups, so a lane that finds nothing can tell whether rows arrived while it looked. */
  private kicks = 0;
  private scanning: Promise<void> | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private wake: { timer: NodeJS.Timeout; at: number } | null = null;
  /**
   * Destinations whose backlog head is not due before this time (a retry, an open circuit), so
   * their lane ended until then. Events appended meanwhile queue behind that head and cannot go
   * first: such a kick leaves these lanes alone (a dead destination cost every publish a read of
   * its next 100 records). Every other kick (poll, wake-up, a change through the API) looks again.
   */
  private readonly parked = new Map<number, number>();
  /**
   * Destinations whose lane threw (deliver() itself never throws; this is the database or a row
   * it cannot read): not restarted before this time, so a lane that keeps failing is retried at
   * a steady pace instead of on every kick.
   */
  private readonly crashed = new Map<number, number>();
  private readonly abort = new AbortController();

  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly log: Logger,
    private readonly settings: StreamingConfig,
    private readonly policy: AddressPolicy,
    private readonly leaseTtlMs: number,
  ) {}

  /**
   * Registered with the scheduler, which runs it on each tick of the leading process only. Leading
   * ends here half a lease after the last tick: before another process can take the lapsed lease.
   */
  leaderJob(): BackgroundJob {
    return {
      name: 'audit-streaming',
      intervalMs: 0,
      exactlyOnce: false,
      run: async () => {
        this.leaderSeenAt = Date.now();
        this.kick();
      },
    };
  }

  private get leading(): boolean {
    return !this.stopped && Date.now() - this.leaderSeenAt < this.leaseTtlMs / 2;
  }

  start(): void {
    this.audit.outboxSignal.subscribe((appendedFor) => this.kick(appendedFor));
    // Commits of other processes (PostgreSQL) send no signal here: look for them regularly.
    this.pollTimer = setInterval(() => this.kick(), this.settings.pollMs);
    this.pollTimer.unref();
  }

  /** Stops sending (an attempt in flight is abandoned and will be sent again). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.wake) clearTimeout(this.wake.timer);
    this.abort.abort();
    await this.scanning;
    await Promise.all(this.lanes.values());
  }

  /** `appendedFor`: only new events were queued, for these destinations (OutboxSignal). */
  private kick(appendedFor?: readonly number[]): void {
    this.kicks++;
    if (!this.leading) return;
    if (appendedFor) {
      const now = Date.now();
      for (const id of appendedFor) if ((this.parked.get(id) ?? 0) <= now) this.startLane(id);
      return;
    }
    if (this.scanning) return;
    this.scanning = this.startLanes()
      .catch((error) => this.log.error({ err: error }, 'audit streaming scan failed'))
      .finally(() => (this.scanning = null));
  }

  private async startLanes(): Promise<void> {
    const active = await this.db.selectFrom('audit_stream_destinations').select('id').where('active', '=', 1).execute();
    this.parked.clear();
    for (const { id } of active) this.startLane(id);
  }

  /** Runs the destination's lane unless it runs already (a running lane sees the kick). */
  private startLane(id: number): void {
    if (this.lanes.has(id) || this.stopped || (this.crashed.get(id) ?? 0) > Date.now()) return;
    this.parked.delete(id);
    const lane = this.runLane(id)
      .then(() => {
        this.crashed.delete(id);
      })
      .catch((error) => {
        this.log.error({ err: error, destination: id }, 'audit streaming delivery failed');
        this.crashed.set(id, Date.now() + LANE_CRASH_PAUSE_MS);
        this.wakeAt(Date.now() + LANE_CRASH_PAUSE_MS);
      })
      .finally(() => this.lanes.delete(id));
    this.lanes.set(id, lane);
  }

  /** Ends a lane until `at`, when its head is due (wakeAt kicks every lane then). */
  private park(destinationId: number, at: number): void {
    this.parked.set(destinationId, at);
    this.wakeAt(at);
  }

  /** Wakes up at `at` (a retry or the end of a circuit pause) if nothing else does sooner. */
  private wakeAt(at: number): void {
    if (this.wake && this.wake.at <= at) return;
    if (this.wake) clearTimeout(this.wake.timer);
    const timer = setTimeout(() => {
      this.wake = null;
      this.kick();
    }, Math.max(0, at - Date.now()));
    timer.unref();
    this.wake = { timer, at };
  }

  /**
   * Sends a destination's backlog in seq order until it is empty or waits longer than a moment.
   * Reads the next events in batches and records deliveries in batches (at most BATCH events or
   * FLUSH_MS apart): after a crash, those delivered but not yet recorded are sent again, which
   * at-least-once allows, instead of one commit per event. A failure is recorded at once; a
   * retry due within SHORT_WAIT_MS is waited for here rather than re-read from the database.
   */
  private async runLane(destinationId: number): Promise<void> {
    while (this.leading) {
      const kicksBefore = this.kicks;
      let destination = await this.loadDestination(destinationId);
      if (!destination) return;
      // The head alone first: while it is not due, its backlog (a dead receiver's can be large) is not read.
      const first = await backlogHead(this.db, destinationId);
      if (first && dueTime(first, destination) - Date.now() > SHORT_WAIT_MS) return this.park(destinationId, dueTime(first, destination));
      // Events and checkpoint records (checkpoint-records.ts), in delivery order.
      const batch = await readBacklog(this.db, destinationId, BATCH);
      if (batch.length === 0) {
        if (this.kicks !== kicksBefore) continue; // rows may have arrived while we looked
        return;
      }
      const target = { url: destination.url, secret: destination.secret, headers: destination.headers };
      let delivered: number[] = [];
      let flushedAt = Date.now();
      const flush = async () => {
        await markDelivered(this.db, destinationId, delivered);
        delivered = [];
        flushedAt = Date.now();
      };
      for (let i = 0; i < batch.length && this.leading; ) {
        const head = batch[i];
        const dueAt = dueTime(head, destination);
        if (dueAt > Date.now()) {
          await flush();
          if (dueAt - Date.now() > SHORT_WAIT_MS) return this.park(destinationId, dueAt);
          await this.pause(dueAt - Date.now());
          continue;
        }
        const result = await deliver(target, { uuid: head.uuid, eventName: head.event_name, body: head.record }, this.policy, this.settings.timeoutMs, this.abort.signal);
        if (this.stopped) break; // abandoned by stop(): neither delivered nor a failure of the receiver
        if (result.kind === 'delivered') {
          delivered.push(Number(head.seq));
          i++;
          if (Date.now() - flushedAt >= FLUSH_MS) await flush();
          continue;
        }
        await flush();
        if (result.kind === 'gone') {
          await deactivateGoneDestination(this.db, this.audit, destination, 'the receiver answered 410 Gone');
          return;
        }
        const failed = await markFailed(this.db, this.settings, destination, head, result.error, result.retryAfterMs);
        const current = await this.loadDestination(destinationId);
        // Changed meanwhile (an owner edited or switched it off): start over from the database.
        if (!current || current.updated_at !== destination.updated_at) break;
        destination = current;
        if (failed.deadLettered) i++;
        else Object.assign(head, { attempts: head.attempts + 1, next_attempt_at: failed.nextAttemptAt });
      }
      await flush();
    }
  }

  private async loadDestination(id: number) {
    const row = await this.db.selectFrom('audit_stream_destinations').selectAll().where('id', '=', id).executeTakeFirst();
    return row?.active === 1 ? row : undefined;
  }

  /** Sleeps, but wakes up at once when the worker stops. */
  private pause(ms: number): Promise<void> {
    const signal = this.abort.signal;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done);
    });
  }
}

/** When an outbox row may be sent: its retry time, or later while the destination's circuit is open. */
function dueTime(row: { next_attempt_at: string }, destination: { paused_until: string | null }): number {
  return Math.max(Date.parse(row.next_attempt_at), destination.paused_until ? Date.parse(destination.paused_until) : 0);
}

const BATCH = 100;
const FLUSH_MS = 250;
const SHORT_WAIT_MS = 1000;
const LANE_CRASH_PAUSE_MS = 5000;
