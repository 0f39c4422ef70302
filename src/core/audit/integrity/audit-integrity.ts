import type { Logger } from 'pino';
import type { IntegrityAlarm } from '../../../contracts/audit-checkpoints.js';
import { lockAuditAppend } from '../../../storage/db/audit-append.js';
import type { Db } from '../../../storage/db/database.js';
import { nowIso } from '../../clock.js';
import { errors } from '../../errors.js';
import type { AuditLog } from '../audit-log.js';
import { openCheckpoint } from '../seal/checkpoint.js';
import type { NoteVerifierKey } from '../seal/signed-note.js';
import { INSTANCE_SCOPE } from '../audit-scope.js';
import { systemAuditContext, type AuditContext } from '../audit-types.js';
import { EMPTY_TREE, latestCheckpointRow, proveExtends, storedTree, type CheckpointRow, type ProvenTree } from './log-consistency.js';

// The audit log's self-check (docs/architecture.md#tamper-evidence). At start and before the sealer signs a checkpoint, the
// log must extend the last signed checkpoint (log-consistency.ts). When it does not (a rolled-back
// or rewritten tail), Trove records `audit_integrity_alarm` (instance scope, never suppressed:
// it is not a package event), refuses package writes with 503 and reports the alarm at
// /-/health, until an administrator acknowledges it. New events meanwhile never reuse a seq a
// checkpoint covered (lastUsedAuditSeq), so the alarm itself follows the checkpoint.
//
// The acknowledgement makes the checkpoint that was the latest at that moment the starting point
// of later self-checks (its stored compact range): the events before it can no longer all be
// proven, which the alarm event in the log says, and every later checkpoint must extend it.
// Processes that do not lead (PostgreSQL scale-out) learn of an alarm by polling its table.
// With TROVE_AUDIT_TRUSTED_KEYS, the last checkpoint must also be signed by a pinned key (or one a
// rotation statement adds): a key folder swapped for someone else's raises the alarm too.

export type { IntegrityAlarm };

const POLL_MS = 2000;

export interface SelfCheck {
  at: string;
  treeSize: number;
}

export class AuditIntegrity {
  /** The largest tree this process proved the log extends; null until the first check. */
  private proven: ProvenTree | null = null;
  private alarm: IntegrityAlarm | null = null;
  /** Checks and acknowledgements one at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  /** This process's last successful self-check (the integrity panel's "verified by Trove"). */
  private lastProven: SelfCheck | null = null;

  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly log: Logger,
    /** The keys the operator pinned, with those rotation statements add; null when none are pinned. */
    private readonly trustedKeys: (() => Promise<NoteVerifierKey[]>) | null = null,
  ) {}

  /** The open alarm, as this process last saw it. */
  get openAlarm(): IntegrityAlarm | null {
    return this.alarm;
  }

  /** When this process last proved the log extends its last signed checkpoint, and that tree size. */
  get lastSelfCheck(): SelfCheck | null {
    return this.lastProven;
  }

  /** The keys a verification trusts: those the operator pinned (with rotations), or null when none are. */
  async pinnedKeys(): Promise<NoteVerifierKey[] | null> {
    return this.trustedKeys ? this.trustedKeys() : null;
  }

  /** The check at start; then polls for alarms raised or acknowledged by other processes. */
  async start(): Promise<void> {
    await this.refresh();
    if (!this.alarm) await this.proveLatest();
    this.timer = setInterval(() => void this.refresh().catch((error) => this.log.error({ err: error }, 'audit integrity poll failed')), POLL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Package writes call this first: 503 while an alarm is open. */
  assertPackageWritesAllowed(): void {
    if (!this.alarm) return;
    throw errors.serviceUnavailable(
      `503 Service Unavailable: package writes are refused because the audit log failed its integrity self-check ` +
        `(${this.alarm.reason}); an administrator must acknowledge the alarm (POST /api/v4/audit_events/integrity_alarm/acknowledge)`,
    );
  }

  /**
   * The tree of the last signed checkpoint, proven to be extended by the log (the sealer appends
   * to it), or null when an alarm is open or was just raised: then nothing may be signed.
   */
  async proveLatest(): Promise<ProvenTree | null> {
    return this.serialised(async () => {
      if (this.alarm) return null;
      const latest = await latestCheckpointRow(this.db);
      this.proven ??= await this.startingPoint();
      if (!latest) return this.proved(this.proven);
      const result = await proveExtends(this.db, this.proven, latest);
      const unsigned = result.ok ? await this.notPinned(latest.note) : null;
      if (unsigned) {
        await this.raise(unsigned, latest.tree_size);
        return null;
      }
      if (result.ok) {
        this.proven = result.tree;
        return this.proved(result.tree);
      }
      await this.raise(result.reason, latest.tree_size);
      return null;
    });
  }

  private proved(tree: ProvenTree): ProvenTree {
    this.lastProven = { at: nowIso(), treeSize: tree.size };
    return tree;
  }

  /** Why `note` is not signed by a pinned key, or null (also when no key is pinned). */
  private async notPinned(note: string): Promise<string | null> {
    if (!this.trustedKeys) return null;
    const opened = openCheckpoint(note, await this.trustedKeys());
    return opened.ok ? null : `the last signed checkpoint is not signed by a key pinned in TROVE_AUDIT_TRUSTED_KEYS: ${opened.reason}`;
  }

  /** The sealer signed `tree` (built on the tree proveLatest returned). */
  sealed(tree: ProvenTree): void {
    if (!this.proven || tree.size > this.proven.size) this.proven = tree;
  }

  /** Acknowledges every open alarm (an administrator, through the API); returns them, or [] if none was open. */
  async acknowledge(ctx: AuditContext, userId: number): Promise<IntegrityAlarm[]> {
    return this.serialised(async () => {
      const open = await this.openAlarms();
      if (open.length === 0) return [];
      const anchor = await latestCheckpointRow(this.db);
      await this.db.transaction().execute(async (tx) => {
        await this.audit.record(tx, ctx, {
          eventName: 'audit_integrity_alarm_acknowledged',
          scope: INSTANCE_SCOPE,
          target: { id: open[0].id, type: 'AuditIntegrityAlarm', details: `alarm ${open.map((a) => a.id).join(', ')}` },
          customMessage: `Audit integrity alarm acknowledged; self-checks now start from the checkpoint of tree size ${anchor?.tree_size ?? 0}`,
          changes: { acknowledged: { from: false, to: true }, anchor_tree_size: { from: null, to: anchor?.tree_size ?? 0 } },
        });
        await tx
          .updateTable('audit_integrity_alarms')
          .set({ acknowledged_at: nowIso(), acknowledged_by: userId, anchor_tree_size: anchor?.tree_size ?? 0 })
          .where('acknowledged_at', 'is', null)
          .execute();
      });
      this.alarm = null;
      this.proven = anchor ? storedTree(anchor) : EMPTY_TREE;
      return open;
    });
  }

  /** Re-reads the open alarm (another process may have raised or acknowledged it). */
  async refresh(): Promise<void> {
    const [open] = await this.openAlarms();
    const wasOpen = this.alarm !== null;
    this.alarm = open ?? null;
    if (wasOpen && !open) this.proven = null; // acknowledged elsewhere: start again from its anchor
  }

  /** Every alarm not acknowledged yet, oldest first. */
  async openAlarms(): Promise<IntegrityAlarm[]> {
    const rows = await this.db
      .selectFrom('audit_integrity_alarms')
      .select(['id', 'raised_at', 'reason', 'checkpoint_tree_size', 'event_seq'])
      .where('acknowledged_at', 'is', null)
      .orderBy('id')
      .execute();
    return rows.map((row) => ({ ...row, checkpoint_tree_size: Number(row.checkpoint_tree_size), event_seq: row.event_seq === null ? null : Number(row.event_seq) }));
  }

  /** The empty tree, or the checkpoint an administrator acknowledged last. */
  private async startingPoint(): Promise<ProvenTree> {
    const acknowledged = await this.db
      .selectFrom('audit_integrity_alarms')
      .select((eb) => eb.fn.max('anchor_tree_size').as('size'))
      .where('acknowledged_at', 'is not', null)
      .executeTakeFirst();
    const size = Number(acknowledged?.size ?? 0);
    if (size === 0) return EMPTY_TREE;
    const row = await this.db.selectFrom('audit_checkpoints').select(['tree_size', 'root_hash', 'note', 'frontier']).where('tree_size', '=', size).executeTakeFirst();
    if (!row) return EMPTY_TREE; // the acknowledged checkpoint is gone too: prove everything again
    return storedTree({ ...row, tree_size: Number(row.tree_size) } as CheckpointRow);
  }

  private async raise(reason: string, checkpointSize: number): Promise<void> {
    this.log.error({ reason, checkpoint: checkpointSize }, 'audit log integrity alarm: package writes are refused until an administrator acknowledges it');
    this.alarm = await this.db.transaction().execute(async (tx) => {
      await lockAuditAppend(tx); // one alarm, however many processes find the same fault
      const open = await tx.selectFrom('audit_integrity_alarms').select(['id', 'raised_at', 'reason', 'checkpoint_tree_size', 'event_seq']).where('acknowledged_at', 'is', null).limit(1).executeTakeFirst();
      if (open) return { ...open, checkpoint_tree_size: Number(open.checkpoint_tree_size), event_seq: open.event_seq === null ? null : Number(open.event_seq) };
      const event = await this.audit.recordNumbered(tx, systemAuditContext('Audit log self-check'), {
        eventName: 'audit_integrity_alarm',
        outcome: 'failure',
        reason,
        scope: INSTANCE_SCOPE,
        target: { id: null, type: 'AuditLog', details: `checkpoint of tree size ${checkpointSize}` },
        customMessage: `The audit log does not extend its last signed checkpoint (tree size ${checkpointSize}): ${reason}`,
        changes: null,
      });
      const raisedAt = nowIso();
      const inserted = await tx
        .insertInto('audit_integrity_alarms')
        .values({ raised_at: raisedAt, reason, checkpoint_tree_size: checkpointSize, event_seq: event?.seq ?? null, acknowledged_at: null, acknowledged_by: null, anchor_tree_size: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { id: Number(inserted.id), raised_at: raisedAt, reason, checkpoint_tree_size: checkpointSize, event_seq: event?.seq ?? null };
    });
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
