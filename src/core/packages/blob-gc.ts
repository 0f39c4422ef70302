import { sql } from 'kysely';
import { endUpload } from '../../container-registry/blob-uploads.js';
import type { CollectableBlobStore } from '../../storage/blobs/blob-store.js';
import type { Db } from '../../storage/db/database.js';
import { nowIso } from '../clock.js';
import type { BackgroundJob } from '../jobs/job-scheduler.js';

// The only code that deletes blobs (package deletes only delete rows). A blob is deleted once it
// has been needed by no row of BLOB_REFERENCES (file rows, pending uploads: pending-uploads.ts,
// container images) for longer than the
// grace period (TROVE_BLOB_GC_GRACE_SECONDS): one run marks it (unreferenced_blobs), a run at
// least the grace period later deletes it if nothing has needed it since. Registrations older
// than the grace period belong to crashed uploads and are dropped first; temporary files older
// than it too. Blobs live in the store (folder or bucket) or, small ones, in the database
// (blob_contents); both are collected.

export const BLOB_GC_JOB_NAME = 'blob-gc';
/** How often the leader collects (TROVE_JOB_INTERVALS=blob-gc=... overrides). */
export const BLOB_GC_INTERVAL_MS = 10 * 60 * 1000;
const BATCH = 500;

/**
 * Every column that names a blob some row still needs: package files, uploads in progress
 * (pending-uploads.ts), and the container registry's manifests, what they reference, the blobs
 * linked into a repository and the parts of container uploads in progress.
 */
const BLOB_REFERENCES = [
  { table: 'package_files', column: 'sha256' },
  { table: 'pending_uploads', column: 'sha256' },
  { table: 'container_manifests', column: 'blob_sha256' },
  { table: 'container_manifest_references', column: 'blob_sha256' },
  { table: 'container_repository_blobs', column: 'blob_sha256' },
  { table: 'container_upload_parts', column: 'blob_sha256' },
] as const;

export function blobGcJob(db: Db, store: CollectableBlobStore, graceMs: number, intervalMs: number): BackgroundJob {
  return { name: BLOB_GC_JOB_NAME, intervalMs, run: () => new BlobCollector(db, store, graceMs).run() };
}

class BlobCollector {
  /** Marks older than this may be deleted; registrations and temporary files older than it are dropped. */
  private readonly cutoff: string;
  private marked = 0;
  private deleted = 0;

  constructor(
    private readonly db: Db,
    private readonly store: CollectableBlobStore,
    graceMs: number,
  ) {
    this.cutoff = new Date(Date.now() - graceMs).toISOString();
  }

  async run(): Promise<string> {
    const lapsed = await this.db.deleteFrom('pending_uploads').where('registered_at', '<', this.cutoff).executeTakeFirst();
    // Container blob uploads nobody has continued for the grace period: their parts become garbage.
    const abandoned = await this.db.selectFrom('container_uploads').select('uuid').where('updated_at', '<', this.cutoff).execute();
    for (const { uuid } of abandoned) await endUpload(this.db, uuid);
    const temporaries = await this.store.removeTemporaries(new Date(this.cutoff));
    let batch: string[] = [];
    for await (const sha256 of this.everyBlob()) {
      batch.push(sha256);
      if (batch.length === BATCH) await this.examine(batch.splice(0));
    }
    await this.examine(batch);
    // Old marks that are still here named blobs that no longer exist (examine consumed the others).
    await this.db.deleteFrom('unreferenced_blobs').where('since', '<', this.cutoff).execute();
    return `deleted ${this.deleted} blobs, marked ${this.marked} newly unreferenced, dropped ${Number(lapsed.numDeletedRows)} lapsed upload registrations, ${abandoned.length} abandoned container uploads and ${temporaries} temporary files`;
  }

  /** Blobs kept in the database, then those in the store (a blob in both is examined twice, harmlessly). */
  private async *everyBlob(): AsyncIterable<string> {
    let after = '';
    for (;;) {
      const rows = await this.db.selectFrom('blob_contents').select('sha256').where('sha256', '>', after).orderBy('sha256').limit(BATCH).execute();
      for (const row of rows) yield row.sha256;
      if (rows.length < BATCH) break;
      after = rows[rows.length - 1].sha256;
    }
    yield* this.store.list();
  }

  private async examine(batch: string[]): Promise<void> {
    const sha256s = [...new Set(batch)];
    if (sha256s.length === 0) return;
    const referenced = new Set<string>();
    for (const { table, column } of BLOB_REFERENCES) {
      const rows = await this.db.selectFrom(table).select(sql.ref<string>(column).as('sha256')).distinct().where(sql.ref(column), 'in', sha256s).execute();
      for (const row of rows) referenced.add(row.sha256);
    }
    if (referenced.size > 0) await this.db.deleteFrom('unreferenced_blobs').where('sha256', 'in', [...referenced]).execute();
    const unreferenced = sha256s.filter((sha256) => !referenced.has(sha256));
    if (unreferenced.length === 0) return;
    const marks = await this.db.selectFrom('unreferenced_blobs').selectAll().where('sha256', 'in', unreferenced).execute();
    const markedBefore = new Set(marks.map((m) => m.sha256));
    const fresh = unreferenced.filter((sha256) => !markedBefore.has(sha256));
    if (fresh.length > 0) {
      const since = nowIso();
      await this.db
        .insertInto('unreferenced_blobs')
        .values(fresh.map((sha256) => ({ sha256, since })))
        .onConflict((oc) => oc.column('sha256').doNothing())
        .execute();
      this.marked += fresh.length;
    }
    for (const mark of marks) {
      if (mark.since < this.cutoff && (await this.deleteIfStillUnneeded(mark.sha256))) this.deleted++;
    }
  }

  /**
   * Takes the blob's mark and deletes its bytes in one transaction, checking once more that no
   * file row and no registration needs it. An upload registering these bytes meanwhile waits for
   * the mark's row (pending-uploads.ts) and so places its bytes after this deletion, or took the
   * mark first, and then nothing is deleted here.
   */
  private deleteIfStillUnneeded(sha256: string): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const taken = await tx
        .deleteFrom('unreferenced_blobs')
        .where('sha256', '=', sha256)
        .where('since', '<', this.cutoff)
        .where(({ and, exists, not, selectFrom }) =>
          and(BLOB_REFERENCES.map(({ table, column }) => not(exists(selectFrom(table).select(sql.lit(1).as('one')).where(sql.ref(column), '=', sha256))))),
        )
        .returning('sha256')
        .executeTakeFirst();
      if (!taken) return false;
      await tx.deleteFrom('blob_contents').where('sha256', '=', sha256).execute();
      await this.store.remove(sha256);
      return true;
    });
  }
}
