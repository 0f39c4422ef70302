import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../../storage/db/database.js';
import { isUniqueViolation } from '../../storage/db/db-errors.js';
import { nowIso } from '../clock.js';
import { LeaderLease } from './leader-lease.js';

/** A periodic background job. `run` must be safe to retry: a run cut short by a crash is not resumed. */
export interface BackgroundJob {
  name: string;
  intervalMs: number;
  /**
   * true (default): each due time runs once across all processes, recorded in job_runs.
   * false: idempotent work polled by the leader every interval, not recorded (e.g. the sealer,
   * which checks every second whether a checkpoint is due; job_runs would grow by a row a second).
   */
  exactlyOnce?: boolean;
  run(): Promise<string | void>;
}

export interface SchedulerOptions {
  /** How long a dead leader keeps the lease (other processes take over within this). */
  leaseTtlMs: number;
  /** How often the leader looks for due jobs and renews its lease. */
  tickMs: number;
}

/**
 * Runs every registered job once per due time across all Trove processes on one database:
 * the process holding the "scheduler" lease runs due jobs; a unique (name, due_at) row in
 * job_runs makes a second run of the same due time impossible even if two processes ever
 * believed they led. This is the one mechanism every background job reuses.
 */
export class JobScheduler {
  readonly holder = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly lease: LeaderLease;
  private readonly jobs: BackgroundJob[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly lastPolled = new Map<string, number>();
  private ticking: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly options: SchedulerOptions,
  ) {
    this.lease = new LeaderLease(db, 'scheduler', this.holder, options.leaseTtlMs);
  }

  register(job: BackgroundJob): void {
    this.jobs.push(job);
  }

  get registered(): readonly BackgroundJob[] {
    return this.jobs;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.options.tickMs);
    this.timer.unref();
    void this.tick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.ticking;
    await this.lease.release().catch(() => undefined);
  }

  /** One pass: renew or take the lease; if leading, run each job whose current due time has no run yet. */
  tick(): Promise<void> {
    if (this.ticking) return this.ticking;
    this.ticking = (async () => {
      try {
        if (!(await this.lease.acquireOrRenew())) return;
        for (const job of this.jobs) await this.runIfDue(job);
      } catch (error) {
        this.log.error({ err: error }, 'background job scheduler tick failed');
      } finally {
        this.ticking = null;
      }
    })();
    return this.ticking;
  }

  private async runIfDue(job: BackgroundJob): Promise<void> {
    if (job.exactlyOnce === false) return this.poll(job);
    const dueAt = new Date(Math.floor(Date.now() / job.intervalMs) * job.intervalMs).toISOString();
    let runId: number;
    try {
      const row = await this.db
        .insertInto('job_runs')
        .values({ name: job.name, due_at: dueAt, holder: this.holder, started_at: nowIso(), finished_at: null, outcome: null, detail: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      runId = row.id;
    } catch (error) {
      if (isUniqueViolation(error)) return; // this due time already ran (here or in another process)
      throw error;
    }
    let outcome: 'success' | 'failure' = 'success';
    let detail: string | null = null;
    try {
      detail = (await job.run()) ?? null;
    } catch (error) {
      outcome = 'failure';
      detail = (error as Error).message;
      this.log.error({ err: error, job: job.name }, 'background job failed');
    }
    await this.db.updateTable('job_runs').set({ finished_at: nowIso(), outcome, detail }).where('id', '=', runId).execute();
  }

  private async poll(job: BackgroundJob): Promise<void> {
    const now = Date.now();
    if (now - (this.lastPolled.get(job.name) ?? 0) < job.intervalMs) return;
    this.lastPolled.set(job.name, now);
    try {
      await job.run();
    } catch (error) {
      this.log.error({ err: error, job: job.name }, 'background job failed');
    }
  }
}
