import { lastAuditSeq } from '../../storage/db/audit-append.js';
import type { Db } from '../../storage/db/database.js';
import { nowIso } from '../clock.js';
import type { BackgroundJob } from '../jobs/job-scheduler.js';
import type { AuditLog } from './audit-log.js';
import type { AuditIntegrity } from './integrity/audit-integrity.js';
import type { FolderMirror } from './mirror/folder-mirror.js';
import { CompactRange } from './seal/compact-range.js';
import { queueCheckpointForStreaming } from './streaming/checkpoint-records.js';
import { signCheckpoint } from './seal/checkpoint.js';
import { hashFromHex, hashToHex } from './seal/merkle.js';
import { ensureActiveSigningKey, type AuditSigningKey } from './seal/signing-keys.js';

// The checkpoint sealer (docs/architecture.md#tamper-evidence): every `everyEvents` new events or `everyMs` milliseconds
// (whichever comes first, and only if there is something new), it appends the new leaf hashes
// to the Merkle tree and writes a signed C2SP checkpoint. It runs as a polled background job,
// so only the leading Trove process seals; checkpoints are keyed by tree size, so a seal that
// races another one fails on the primary key instead of writing twice.
// Before signing, the self-check proves that the log extends the last signed checkpoint
// (integrity/audit-integrity.ts) and the new leaves are appended to the tree it proved, never to a
// compact range read back from the database. Each checkpoint is queued for every streaming
// destination in the transaction that stores it, and appended to the mirror folder after.

const BATCH = 5000;

export interface SealerOptions {
  origin: string;
  keyDir: string;
  everyEvents: number;
  everyMs: number;
}

export interface SealerParts {
  integrity: AuditIntegrity;
  audit: AuditLog;
  mirror: FolderMirror | null;
}

export class AuditSealer {
  constructor(
    private readonly db: Db,
    private readonly options: SealerOptions,
    private readonly parts: SealerParts,
  ) {}

  get origin(): string {
    return this.options.origin;
  }

  /**
   * The active key, read from the key folder each time (two small files per checkpoint), so that
   * `trove audit rotate-key` takes effect in running processes without a restart.
   */
  async signingKey(): Promise<AuditSigningKey> {
    return ensureActiveSigningKey(this.options.keyDir);
  }

  job(): BackgroundJob {
    return { name: 'seal-audit-log', intervalMs: 1000, exactlyOnce: false, run: async () => void (await this.sealIfDue()) };
  }

  /** Seals now if enough events or time have accumulated; returns the new tree size, or null. */
  async sealIfDue(now = Date.now()): Promise<number | null> {
    const last = await this.db.selectFrom('audit_checkpoints').selectAll().orderBy('tree_size', 'desc').limit(1).executeTakeFirst();
    const size = await lastAuditSeq(this.db);
    const sealed = Number(last?.tree_size ?? 0);
    if (size <= sealed) return null;
    const age = last ? now - Date.parse(last.created_at) : Infinity;
    if (size - sealed < this.options.everyEvents && age < this.options.everyMs) return null;
    const proven = await this.parts.integrity.proveLatest();
    if (!proven || proven.size >= size) return null; // an alarm is open: nothing is signed
    const range = CompactRange.fromJSON(proven.range.toJSON());
    const sealedSize = await this.seal(range, proven.size, size);
    this.parts.integrity.sealed({ from: proven.from, size: sealedSize, range });
    await this.parts.mirror?.catchUp();
    return sealedSize;
  }

  /** The checkpoint mirror folder, if one is configured. */
  get mirror(): FolderMirror | null {
    return this.parts.mirror;
  }

  /** Retries the mirror folder (a failed write is caught up here). */
  mirrorJob(): BackgroundJob | null {
    const mirror = this.parts.mirror;
    return mirror && { name: 'mirror-audit-checkpoints', intervalMs: 5000, exactlyOnce: false, run: () => mirror.catchUp() };
  }

  /** Appends leaves sealed+1..size (in seq order, which must be contiguous) and writes the checkpoint. */
  private async seal(range: CompactRange, sealed: number, size: number): Promise<number> {
    for (let from = sealed; from < size; from += BATCH) {
      const rows = await this.db
        .selectFrom('audit_events')
        .select(['seq', 'leaf_hash'])
        .where('id', '>', from)
        .where('id', '<=', Math.min(from + BATCH, size))
        .orderBy('id')
        .execute();
      rows.forEach((row, i) => {
        // A gap or a missing leaf hash means the log was tampered with: refuse to seal over it.
        if (Number(row.seq) !== from + i + 1 || !row.leaf_hash) throw new Error(`audit log is not contiguous at seq ${from + i + 1}`);
        range.append(hashFromHex(row.leaf_hash));
      });
      if (rows.length !== Math.min(BATCH, size - from)) throw new Error(`audit log is missing events after seq ${from + rows.length}`);
    }
    const key = await this.signingKey();
    const root = range.root();
    const note = signCheckpoint({ origin: this.options.origin, treeSize: size, rootHash: root, extensions: [] }, key.signer);
    const destinations = await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('audit_checkpoints')
        .values({ tree_size: size, root_hash: hashToHex(root), note, key_name: key.signer.name, frontier: JSON.stringify(range.toJSON()), created_at: nowIso() })
        .execute();
      return queueCheckpointForStreaming(tx, size);
    });
    if (destinations.length > 0) this.parts.audit.outboxSignal.notify(destinations);
    return size;
  }
}

/** The checkpoint origin: a schema-less URL naming this log, as C2SP asks, e.g. "trove.example.com/audit". */
export function defaultOrigin(baseUrl: string): string {
  const url = new URL(baseUrl);
  return `${url.hostname}${url.pathname.replace(/\/+$/, '')}/audit`;
}
