import type { Checkpoint, LatestCheckpoint } from '../../contracts/audit-checkpoints.js';
import type { Db } from '../../storage/db/database.js';
import type { AuditSealer } from './audit-sealer.js';
import { latestCheckpoint } from './audit-proofs.js';
import { listPublishedVerifierKeys } from './seal/signing-keys.js';
import { checkpointsTextChunk } from './verify/verify-files.js';

// The signed checkpoints as auditors read them (docs/architecture.md#tamper-evidence): the latest with the keys to verify it,
// a page of them newest first, and all of them as the checkpoints file `trove audit verify` takes.

/** The latest checkpoint (tree size 0 before the first seal), the current key and every published one. */
export async function checkpointStatus(db: Db, sealer: AuditSealer, keyDir: string): Promise<LatestCheckpoint> {
  const latest = await latestCheckpoint(db);
  const key = await sealer.signingKey();
  return {
    origin: sealer.origin,
    tree_size: latest ? Number(latest.tree_size) : 0,
    root_hash: latest?.root_hash ?? null,
    created_at: latest?.created_at ?? null,
    checkpoint: latest?.note ?? null,
    public_key: key.verifierKey,
    public_keys: (await listPublishedVerifierKeys(keyDir)).map((k) => k.verifierKey),
  };
}

export async function countCheckpoints(db: Db): Promise<number> {
  const total = await db.selectFrom('audit_checkpoints').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  return Number(total?.n ?? 0);
}

/** A page of checkpoints, newest first. */
export async function listCheckpoints(db: Db, page: { limit: number; offset: number }): Promise<Checkpoint[]> {
  const rows = await db
    .selectFrom('audit_checkpoints')
    .select(['tree_size', 'root_hash', 'note', 'key_name', 'created_at'])
    .orderBy('tree_size', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map((r) => ({ tree_size: Number(r.tree_size), root_hash: r.root_hash, key_name: r.key_name, created_at: r.created_at, checkpoint: r.note }));
}

const BATCH = 500;

/** Every checkpoint, oldest first, as the text of a checkpoints file (signed notes separated by "---" lines), read in batches. */
export async function* checkpointsFile(db: Db): AsyncGenerator<string> {
  let after = -1;
  for (let first = true; ; ) {
    const rows = await db.selectFrom('audit_checkpoints').select(['tree_size', 'note']).where('tree_size', '>', after).orderBy('tree_size').limit(BATCH).execute();
    for (const row of rows) {
      yield checkpointsTextChunk(row.note, first);
      first = false;
    }
    if (rows.length < BATCH) return;
    after = Number(rows[rows.length - 1].tree_size);
  }
}
