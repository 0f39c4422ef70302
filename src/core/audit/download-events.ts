import type { Db } from '../../storage/db/database.js';
import type { Namespace } from '../accounts/namespaces.js';
import type { Project } from '../accounts/projects.js';
import { packageRef, type PackageFileRow, type PackageIdentity } from '../packages/packages.js';
import type { AuditLog } from './audit-log.js';
import { projectScope } from './audit-scope.js';
import { effectiveSetting } from './audit-settings.js';
import type { AuditContext, AuditEventInput } from './audit-types.js';
import type { DownloadEventWriter, PendingDownloadEvent } from './download-event-writer.js';
import type { AuditEventName } from './event-catalog.js';

// Download events (docs/architecture.md#what-is-recorded `package_registry_package_downloaded`, opt-in per docs/architecture.md#the-one-write-path).
//
// Downloads are the hot path of a registry, so their events are not written in the request:
// `enqueue` only appends to an in-memory queue, and the queue is written in batches, each batch
// in ONE transaction through AuditLog.recordBatch (AuditLog.record's checks, lock and record for
// many events at once: `seq` stays contiguous and the record is the same as every other event's),
// on a worker thread with its own connection (download-event-writer.ts). A batch is written at
// most `flushIntervalMs` (250 ms) after its first event, or at once when `maxBatch` (1000) events
// are waiting. What this costs:
// - a crash (kill -9, power loss) loses the events of the last ~250 ms (plus whatever a slow or
//   failing database kept queued); a graceful stop (SIGTERM, close()) writes everything first;
// - an event's `created_at` is the time its batch was written, up to ~250 ms after the download;
// - a batch that fails (database down) stays queued, at the front, and is retried with back-off
//   until shutdown; nothing is dropped (memory grows meanwhile). If the commit succeeded but its
//   acknowledgement was lost, the retry writes those events again (at least once, never zero).
//
// Which downloads are recorded: both settings of the project's namespace (its effective value,
// walking up to the instance default) must be `enabled`:
// - `package_download_events` (default disabled) opts in to download events at all;
// - `package_audit_events`: a download event is a package event like any other, so turning
//   package events off turns download events off too. AuditLog.recordBatch checks this one again
//   when the batch is written.
// The decision is cached per namespace for `settingTtlMs` (5 s), so that a download costs no
// database round trip for it: a changed setting takes effect within 5 s in every process.

export const DOWNLOADED_EVENT = 'package_registry_package_downloaded' satisfies AuditEventName;

export interface DownloadEventOptions {
  /** Longest wait before a queued event is written (ms). */
  flushIntervalMs?: number;
  /** Events written per transaction; a full batch is written at once. */
  maxBatch?: number;
  /** How long the decision "record downloads from this namespace" is cached (ms). */
  settingTtlMs?: number;
}

/** The namespace a project lives in, when its downloads are recorded. */
export interface DownloadRecording {
  namespace: Namespace;
}

export interface DownloadedFile {
  project: Project;
  namespace: Namespace;
  pkg: PackageIdentity;
  file: PackageFileRow;
}

interface Logger {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class DownloadEventBuffer {
  private readonly flushIntervalMs: number;
  private readonly maxBatch: number;
  private readonly settingTtlMs: number;
  private queue: PendingDownloadEvent[] = [];
  private timer: NodeJS.Timeout | null = null;
  private timerDelay = 0;
  private inFlight: Promise<void> | null = null;
  private failures = 0;
  private closed = false;
  private readonly decisions = new Map<number, { expiresAt: number; decision: Promise<DownloadRecording | null> }>();
  /** Events written since start (for tests and logs). */
  written = 0;

  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly writer: DownloadEventWriter,
    private readonly log: Logger,
    options: DownloadEventOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 250;
    this.maxBatch = options.maxBatch ?? 1000;
    this.settingTtlMs = options.settingTtlMs ?? 5000;
  }

  /** Events waiting to be written. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * Whether downloads from this project are recorded (null: not recorded). Cached per namespace
   * for settingTtlMs; concurrent first downloads share one lookup.
   */
  recordingFor(project: Project): Promise<DownloadRecording | null> {
    const now = Date.now();
    const cached = this.decisions.get(project.namespace_id);
    if (cached && cached.expiresAt > now) return cached.decision;
    const decision = this.lookUp(project.namespace_id);
    this.decisions.set(project.namespace_id, { expiresAt: now + this.settingTtlMs, decision });
    // A failed lookup is not remembered: the next download asks again.
    decision.catch(() => this.decisions.delete(project.namespace_id));
    return decision;
  }

  private async lookUp(namespaceId: number): Promise<DownloadRecording | null> {
    const namespace = await this.db.selectFrom('namespaces').selectAll().where('id', '=', namespaceId).executeTakeFirst();
    if (!namespace) return null;
    const defaults = this.audit.instanceDefaults;
    const downloads = await effectiveSetting(this.db, namespaceId, 'package_download_events', defaults);
    if (downloads.value !== 'enabled') return null;
    const packageEvents = await effectiveSetting(this.db, namespaceId, 'package_audit_events', defaults);
    if (packageEvents.value !== 'enabled') return null;
    // Downloads from here will be recorded: have the writer's thread ready by the first batch. A
    // thread that fails to start fails that batch, which is then retried.
    this.writer.start().catch(() => undefined);
    return { namespace };
  }

  /** Queues the event of one completed download. Synchronous: no I/O, no await. */
  enqueue(ctx: AuditContext, download: DownloadedFile): void {
    const { project, namespace, pkg, file } = download;
    this.enqueueEvent(ctx, {
      eventName: DOWNLOADED_EVENT,
      scope: projectScope(project, namespace),
      project: { id: project.id, full_path: project.full_path },
      package: packageRef(pkg, [file]),
      target: { id: pkg.id, type: 'Packages::Package', details: `${project.full_path}/${pkg.name}-${pkg.version}` },
      customMessage: `${pkg.format} package file ${file.file_name} downloaded`,
    });
  }

  /** Queues another read event that follows the same setting (a container image pull). Synchronous too. */
  enqueueEvent(ctx: AuditContext, input: AuditEventInput): void {
    this.queue.push({ ctx, input });
    if (this.closed) {
      // Only a download that finishes after close() started can land here; close() keeps draining
      // until the queue is empty, so it is still written unless the database is already closed.
      return;
    }
    if (this.queue.length >= this.maxBatch) this.flushSoon(0);
    else this.flushSoon(this.flushIntervalMs);
  }

  private flushSoon(delay: number): void {
    if (this.timer) {
      if (delay > 0 || this.timerDelay === 0) return;
      clearTimeout(this.timer);
    }
    this.timerDelay = delay;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush().then(
        () => {
          this.failures = 0;
        },
        (error: unknown) => {
          this.failures++;
          this.log.error({ err: error, pending: this.queue.length, attempt: this.failures }, 'writing download audit events failed; will retry');
        },
      ).finally(() => {
        // What arrived during the write waits for its interval (a full batch does not); back off
        // while the database fails (0.25, 0.5, 1, 2, 4, 5, 5 ... s). Nothing is dropped.
        if (this.queue.length === 0 || this.closed) return;
        if (this.failures > 0) this.flushSoon(Math.min(5000, this.flushIntervalMs * 2 ** (this.failures - 1)));
        else this.flushSoon(this.queue.length >= this.maxBatch ? 0 : this.flushIntervalMs);
      });
    }, delay);
    this.timer.unref();
  }

  /**
   * Writes what is queued when the write starts, maxBatch events per transaction. Concurrent
   * callers share the running write. Rejects when a batch fails; it stays queued.
   */
  flush(): Promise<void> {
    if (!this.inFlight) {
      this.inFlight = this.drain().finally(() => {
        this.inFlight = null;
      });
    }
    return this.inFlight;
  }

  private async drain(): Promise<void> {
    // Only what is queued now: downloads go on while the writer thread writes, and chasing them
    // made a commit (an fsync) per handful of events, hundreds a second, instead of one per
    // interval (measured: 435 commits in 9 s of the download benchmark).
    for (let remaining = this.queue.length; remaining > 0; ) {
      const batch = this.queue.slice(0, Math.min(this.maxBatch, remaining));
      const written = await this.writer.write(batch);
      // Only now, after the commit: a failed batch stays at the front of the queue.
      this.queue.splice(0, batch.length);
      remaining -= batch.length;
      this.written += written;
    }
  }

  /** Graceful stop: writes everything queued (retrying a few times), then closes the writer. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    try {
      await this.flushForClose();
    } finally {
      await this.writer.close();
    }
  }

  private async flushForClose(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        while (this.queue.length > 0) await this.flush();
        return;
      } catch (error) {
        if (attempt >= 5) {
          this.log.error({ err: error, lost: this.queue.length }, 'download audit events could not be written before shutdown');
          throw error;
        }
        this.log.warn({ err: error, pending: this.queue.length, attempt }, 'writing download audit events at shutdown failed; retrying');
        await sleep(200 * attempt);
      }
    }
  }
}
