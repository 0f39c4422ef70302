import type { VerificationRun } from '../../../contracts/audit-integrity.js';
import type { Db } from '../../../storage/db/database.js';
import { nowIso } from '../../clock.js';
import { errors } from '../../errors.js';
import type { AuditEventName } from '../../../contracts/audit-event-names.js';
import type { AuditLog } from '../audit-log.js';
import { INSTANCE_SCOPE } from '../audit-scope.js';
import type { AuditContext } from '../audit-types.js';
import { listPublishedVerifierKeys } from '../seal/signing-keys.js';
import type { NoteVerifierKey } from '../seal/signed-note.js';
import { databaseCheckpoints, databaseEvents, verifyAuditLog } from '../verify/index.js';

// An administrator's verification of the whole log in the database, now (docs/api.md#audit-log-integrity):
// what `trove audit verify` does without --export (leaf hashes recomputed, seq contiguous, every
// checkpoint's root and signature, the rows' filter columns against their records), run by the
// server, and recorded as `audit_log_verified` with the administrator as actor and the outcome.
// The checkpoints are checked against the keys pinned in TROVE_AUDIT_TRUSTED_KEYS when there are
// any, else against the key folder's published keys (which proves less: whoever can write the data
// folder can write those too; the event says which). One verification at a time per process.

export const VERIFIED_EVENT: AuditEventName = 'audit_log_verified';

let running = false;

export async function verifyLogNow(
  db: Db,
  audit: AuditLog,
  ctx: AuditContext,
  keys: { pinned: NoteVerifierKey[] | null; keyDir: string },
): Promise<VerificationRun> {
  if (running) throw errors.conflict('409 Conflict: a verification of the audit log is already running');
  running = true;
  try {
    const trustedKeys = keys.pinned ?? (await listPublishedVerifierKeys(keys.keyDir));
    const trust = keys.pinned ? 'pinned' : 'key_folder';
    // Checkpoints first: the sealer may go on sealing while the events are read.
    const checkpoints = await databaseCheckpoints(db);
    const result = await verifyAuditLog(databaseEvents(db), { mode: 'full', checkpoints, trustedKeys });
    const summary = result.summary;
    const treeSize = summary.lastSeq ?? 0;
    const reason = result.ok ? null : `${result.seq === null ? '' : `seq ${result.seq}: `}${result.reason}`;
    const what = `events 1..${treeSize}, ${summary.checkpoints} checkpoints (${summary.rootsRecomputed} roots recomputed) against the ${trust === 'pinned' ? 'pinned keys' : "key folder's keys"}`;
    const event = await audit.recordAlone(db, ctx, {
      eventName: VERIFIED_EVENT,
      outcome: result.ok ? 'success' : 'failure',
      reason: reason ?? undefined,
      scope: INSTANCE_SCOPE,
      target: { id: null, type: 'AuditLog', details: `events 1..${treeSize}` },
      customMessage: result.ok ? `Audit log verified: ${what}` : `Audit log verification failed: ${reason} (${what})`,
      changes: { tree_size: { from: null, to: treeSize }, checkpoints: { from: null, to: summary.checkpoints }, trusted_keys: { from: null, to: trust } },
    });
    return {
      verified_at: event?.created_at ?? nowIso(),
      verified_by: { type: 'user', user_id: ctx.actor.user_id ?? null, username: ctx.actor.username ?? null },
      tree_size: treeSize,
      outcome: result.ok ? 'success' : 'failure',
      reason,
      event_id: event?.id ?? null,
      checkpoints: summary.checkpoints,
      roots_recomputed: summary.rootsRecomputed,
      trusted_keys: trust,
      first_bad_seq: result.ok ? null : result.seq,
    };
  } finally {
    running = false;
  }
}
