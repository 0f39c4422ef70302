import type { AuditReportCheckpoint, AuditReportIntegrity } from '../../../contracts/audit-reports.js';
import type { Db } from '../../../storage/db/database.js';
import { latestCheckpoint, type CheckpointRow } from '../audit-proofs.js';
import { PinnedProofs } from '../export/export-proofs.js';
import { sealedTree } from '../sealed-tree.js';
import { openCheckpoint } from '../seal/checkpoint.js';
import { keyIdToHex } from '../seal/signed-note.js';
import { verifyAuditLog, type VerifyEvent, type VerifyResult } from '../verify/index.js';
import type { ReportTrust } from './report-trust.js';

// The integrity statement of a report (docs/architecture.md#tamper-evidence): the period's events
// are checked as `trove audit verify --filtered` checks a filtered export with proofs (the same
// verifier, no hashing of its own): each record's leaf hash recomputed, each inclusion proof
// against the latest checkpoint (pinned before the events are read, as an export pins it), its
// signature against the trusted keys. Plus the checkpoints of the period and the one that seals it.

/** Most checkpoints of the period a report lists (the count is always given). */
export const CHECKPOINT_CAP = 100;

export type PinnedCheckpoint =
  | { kind: 'none' }
  | { kind: 'too_large'; treeSize: number; maxEvents: number }
  | { kind: 'broken'; reason: string }
  | { kind: 'pinned'; row: CheckpointRow; proofs: PinnedProofs };

/** The latest checkpoint and its proof builder, or why there is none to check against. */
export async function pinLatestCheckpoint(db: Db, maxEvents: number): Promise<PinnedCheckpoint> {
  const row = await latestCheckpoint(db);
  if (!row) return { kind: 'none' };
  const treeSize = Number(row.tree_size);
  if (treeSize > maxEvents) return { kind: 'too_large', treeSize, maxEvents };
  try {
    const { builder } = await sealedTree(db, treeSize, row.root_hash);
    return { kind: 'pinned', row, proofs: new PinnedProofs(treeSize, builder) };
  } catch (error) {
    // The stored leaves do not hash to the signed root: that is the finding.
    return { kind: 'broken', reason: (error as Error).message };
  }
}

export function proofOf(pinned: PinnedCheckpoint, seq: number): unknown {
  return pinned.kind === 'pinned' ? pinned.proofs.proofFor(seq) : undefined;
}

/** Runs the verifier over the period's records (each with leaf_hash and, when sealed, inclusion_proof). */
export async function verifyPeriod(events: AsyncIterable<VerifyEvent>, pinned: PinnedCheckpoint, trust: ReportTrust): Promise<VerifyResult> {
  const checkpoints =
    pinned.kind === 'pinned'
      ? [{ note: pinned.row.note, source: `audit_checkpoints row ${pinned.row.tree_size}`, declaredTreeSize: Number(pinned.row.tree_size), declaredRootHash: pinned.row.root_hash }]
      : [];
  return verifyAuditLog(events, { mode: 'filtered', checkpoints, trustedKeys: trust.keys });
}

function summaryOf(row: CheckpointRow, trust: ReportTrust): AuditReportCheckpoint {
  const opened = openCheckpoint(row.note, trust.keys);
  return {
    tree_size: Number(row.tree_size),
    created_at: row.created_at,
    root_hash: row.root_hash,
    key_name: row.key_name,
    verified_keys: opened.ok ? opened.verifiedBy.map((key) => `${key.name}+${keyIdToHex(key.keyId)}`) : [],
  };
}

const COLUMNS = ['tree_size', 'root_hash', 'note', 'key_name', 'created_at'] as const;

interface IntegrityInput {
  pinned: PinnedCheckpoint;
  /** The verifier's answer; null when nothing was checked (no_events, not_checked, broken tree). */
  result: VerifyResult | null;
  events: number;
  period: { from: string; to: string };
  trust: ReportTrust;
}

export async function integrityOf(db: Db, input: IntegrityInput): Promise<AuditReportIntegrity> {
  const { pinned, result, trust } = input;
  const firstSeq = result?.summary.firstSeq ?? null;
  const lastSeq = result?.summary.lastSeq ?? null;
  const inPeriod = db.selectFrom('audit_checkpoints').where('created_at', '>=', input.period.from).where('created_at', '<', input.period.to);
  const listed = await inPeriod.select(COLUMNS).orderBy('tree_size').limit(CHECKPOINT_CAP).execute();
  const total = Number((await inPeriod.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
  const sealing = lastSeq === null ? undefined : await db.selectFrom('audit_checkpoints').select(COLUMNS).where('tree_size', '>=', lastSeq).orderBy('tree_size').limit(1).executeTakeFirst();
  const checkedAgainst = pinned.kind === 'pinned' ? summaryOf(pinned.row, trust) : null;
  const checkpoints = listed.map((row) => summaryOf(row, trust));
  const sealingCheckpoint = sealing ? summaryOf(sealing, trust) : null;
  const signingKeys = [...new Set([checkedAgainst, sealingCheckpoint, ...checkpoints].flatMap((cp) => cp?.verified_keys ?? []))].sort();
  const verified = result ? result.summary.inclusionProofs + result.summary.provenByRuns : 0;
  const unsealed = result?.summary.unsealed?.count ?? 0;
  const base = {
    first_seq: firstSeq,
    last_seq: lastSeq,
    verified_events: result?.ok ? verified : 0,
    unsealed_events: result?.ok ? unsealed : 0,
    checked_against: checkedAgainst,
    sealing_checkpoint: sealingCheckpoint,
    checkpoints,
    checkpoints_total: total,
    trusted_keys: trust.pinned ? ('pinned' as const) : ('published' as const),
    signing_keys: signingKeys,
  };
  return { ...base, ...statusOf(input, checkedAgainst) };
}

function statusOf(input: IntegrityInput, against: AuditReportCheckpoint | null): Pick<AuditReportIntegrity, 'status' | 'statement' | 'reason'> {
  const { pinned, result, events, trust } = input;
  if (pinned.kind === 'too_large') {
    return {
      status: 'not_checked',
      reason: null,
      statement:
        `Not checked by the server: the sealed log has ${pinned.treeSize} events, more than TROVE_AUDIT_PROOF_MAX_EVENTS (${pinned.maxEvents}) ` +
        'allows in memory; verify the evidence pack of this period offline with trove audit verify.',
    };
  }
  if (pinned.kind === 'broken') return { status: 'failed', reason: pinned.reason, statement: `Verification failed: ${pinned.reason}` };
  if (events === 0) return { status: 'no_events', reason: null, statement: 'No event was recorded in this scope during the period.' };
  if (!result) return { status: 'not_checked', reason: null, statement: 'Not checked.' };
  if (!result.ok) {
    const reason = `${result.seq === null ? '' : `seq ${result.seq}: `}${result.reason}`;
    return { status: 'failed', reason, statement: `Verification FAILED: ${reason}` };
  }
  const verified = result.summary.inclusionProofs + result.summary.provenByRuns;
  const unsealed = result.summary.unsealed;
  const keys = against?.verified_keys.join(', ') || 'no trusted key';
  const trustNote = trust.pinned
    ? 'a key pinned by the operator (TROVE_AUDIT_TRUSTED_KEYS)'
    : 'a key this server publishes (no key is pinned: for independent proof, verify the evidence pack against a key you hold)';
  const proven = `the checkpoint of tree size ${against?.tree_size ?? 0}, signed by ${keys}, ${trustNote}`;
  const later = unsealed ? `${unsealed.count} event${unsealed.count === 1 ? '' : 's'} (seq ${unsealed.firstSeq}..${unsealed.lastSeq}) recorded after the latest checkpoint ${unsealed.count === 1 ? 'is' : 'are'} not sealed yet (their hashes match their records)` : '';
  if (verified === 0) return { status: 'not_sealed', reason: null, statement: `No checkpoint seals these events yet: ${later}.` };
  if (unsealed) return { status: 'partly_sealed', reason: null, statement: `${verified} of ${events} events verified against ${proven}; ${later}.` };
  return {
    status: 'verified',
    reason: null,
    statement: `All ${events} events verified: each record's hash was recomputed and its inclusion proof checked against ${proven}.`,
  };
}
