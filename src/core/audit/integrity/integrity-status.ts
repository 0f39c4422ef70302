import type { CheckpointMirror, DestinationBacklog, LogIntegrity, Verification } from '../../../contracts/audit-integrity.js';
import type { Db } from '../../../storage/db/database.js';
import type { Namespace } from '../../accounts/namespaces.js';
import { listEvents } from '../audit-query.js';
import type { AuditSealer } from '../audit-sealer.js';
import { keyIdToHex, parseSignedNote } from '../seal/signed-note.js';
import { deliveryStatus } from '../streaming/delivery-status.js';
import { listDestinations, type DestinationRow } from '../streaming/destination-store.js';
import type { AuditIntegrity } from './audit-integrity.js';
import { latestCheckpointRow } from './log-consistency.js';
import { VERIFIED_EVENT } from './log-verification.js';

// The log integrity panel (docs/api.md#audit-log-integrity): the latest checkpoint and its key, the
// last verification (Trove's self-check in this process, or an administrator's, which the log
// itself records as audit_log_verified), the checkpoint mirror, the streaming destinations'
// backlogs and the open integrity alarms. An administrator sees everything; a group owner the
// same but the mirror (instance configuration) and only the group's own destinations.

export interface IntegrityParts {
  db: Db;
  integrity: AuditIntegrity;
  sealer: AuditSealer;
}

export type IntegrityViewer = { kind: 'instance' } | { kind: 'group'; group: Namespace };

export async function logIntegrity(parts: IntegrityParts, viewer: IntegrityViewer): Promise<LogIntegrity> {
  const { db, integrity } = parts;
  await integrity.refresh();
  const latest = await latestCheckpointRow(db);
  const selfCheck = selfCheckOf(integrity);
  const administrator = await lastAdministratorVerification(db);
  return {
    checkpoint: latest ? { ...(await checkpointDetails(db, latest.tree_size)), tree_size: latest.tree_size, root_hash: latest.root_hash } : null,
    last_verification: [selfCheck, administrator].filter((v) => v !== null).sort((a, b) => b.verified_at.localeCompare(a.verified_at))[0] ?? null,
    self_check: selfCheck,
    administrator_verification: administrator,
    mirrors: viewer.kind === 'instance' ? await mirrorsOf(parts, latest?.tree_size ?? 0) : null,
    streaming_destinations: await backlogs(db, viewer),
    open_alarms: await integrity.openAlarms(),
  };
}

async function checkpointDetails(db: Db, treeSize: number): Promise<{ created_at: string; key_name: string; key_id: string }> {
  const row = await db.selectFrom('audit_checkpoints').select(['created_at', 'key_name', 'note']).where('tree_size', '=', treeSize).executeTakeFirstOrThrow();
  const { signatures } = parseSignedNote(row.note);
  const signature = signatures.find((s) => s.name === row.key_name) ?? signatures[0];
  return { created_at: row.created_at, key_name: row.key_name, key_id: signature ? keyIdToHex(signature.keyId) : '' };
}

function selfCheckOf(integrity: AuditIntegrity): Verification | null {
  const check = integrity.lastSelfCheck;
  if (!check) return null;
  return { verified_at: check.at, verified_by: { type: 'trove' }, tree_size: check.treeSize, outcome: 'success', reason: null, event_id: null };
}

/** The latest audit_log_verified event, read through the events list's own filter (an index seek). */
async function lastAdministratorVerification(db: Db): Promise<Verification | null> {
  const [event] = await listEvents(db, { kind: 'instance' }, { eventNames: [VERIFIED_EVENT] }, { limit: 1 });
  if (!event) return null;
  const size = event.changes?.tree_size?.to;
  return {
    verified_at: event.created_at,
    verified_by: { type: 'user', user_id: event.actor.user_id ?? null, username: event.actor.username ?? null },
    tree_size: typeof size === 'number' ? size : 0,
    outcome: event.outcome,
    reason: event.reason ?? null,
    event_id: event.id,
  };
}

async function mirrorsOf(parts: IntegrityParts, latestSize: number): Promise<CheckpointMirror[]> {
  const mirror = parts.sealer.mirror;
  if (!mirror) return [];
  const { treeSize, failure } = await mirror.state();
  const state = failure ? 'failing' : treeSize !== null && treeSize >= latestSize ? 'up_to_date' : 'behind';
  return [{ kind: 'folder', location: mirror.dir, tree_size: treeSize, state, last_error: failure?.message ?? null, last_error_at: failure?.at ?? null }];
}

async function backlogs(db: Db, viewer: IntegrityViewer): Promise<DestinationBacklog[]> {
  let rows: DestinationRow[];
  if (viewer.kind === 'instance') rows = await db.selectFrom('audit_stream_destinations').selectAll().orderBy('id').execute();
  else rows = viewer.group.parent_id === null ? await listDestinations(db, { kind: 'group', group: viewer.group }) : [];
  return Promise.all(rows.map(async (row) => ({ id: row.id, name: row.name, group_id: row.namespace_id, active: row.active === 1, status: await deliveryStatus(db, row) })));
}
