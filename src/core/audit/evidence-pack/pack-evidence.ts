// What goes into an evidence pack besides the events (pack-layout.ts): the signed checkpoints
// that cover the period, with consistency proofs from each to the checkpoint the events' inclusion
// proofs are against, and the verifier keys the server trusts (as `trove audit verify` does).
import type { TroveConfig } from '../../../config/config.js';
import type { Db } from '../../../storage/db/database.js';
import type { PinnedProofs } from '../export/export-proofs.js';
import { listPublishedVerifierKeys, listRotationStatements } from '../seal/signing-keys.js';
import { formatVerifierKey } from '../seal/signed-note.js';
import { hashToHex } from '../seal/merkle.js';
import { readPinnedKeys } from '../verify/pinned-keys.js';
import { formatCheckpointsText } from '../verify/verify-files.js';
import type { ConsistencyProofJson } from './pack-layout.js';

export interface PackCheckpoints {
  /** checkpoints/checkpoints.txt: the signed notes, oldest first. */
  text: string;
  /** checkpoints/consistency.json. */
  consistency: ConsistencyProofJson[];
  sizes: number[];
}

/**
 * The checkpoints a verifier of records `first..last` of the log needs: the last one before the
 * period (the log as it began), every one within it, the first one at or after its end (which
 * seals it), and the one the inclusion proofs are against (the latest when the pack was made);
 * each with a consistency proof to that last one. No checkpoint yet: none.
 */
export async function packCheckpoints(db: Db, proofs: PinnedProofs | undefined, range: { first: number; last: number } | null): Promise<PackCheckpoints> {
  if (!proofs) return { text: '', consistency: [], sizes: [] };
  const pinned = proofs.treeSize;
  const sizes = new Set<number>([pinned]);
  const columns = ['tree_size', 'note'] as const;
  const base = () => db.selectFrom('audit_checkpoints').select(columns).where('tree_size', '<=', pinned);
  if (range) {
    const before = await base().where('tree_size', '<', range.first).orderBy('tree_size', 'desc').limit(1).executeTakeFirst();
    const within = await base().where('tree_size', '>=', range.first).where('tree_size', '<=', range.last).execute();
    const sealing = await base().where('tree_size', '>=', range.last).orderBy('tree_size').limit(1).executeTakeFirst();
    for (const row of [before, ...within, sealing]) if (row) sizes.add(Number(row.tree_size));
  }
  const ordered = [...sizes].sort((a, b) => a - b);
  const rows = await db.selectFrom('audit_checkpoints').select(columns).where('tree_size', 'in', ordered).orderBy('tree_size').execute();
  const consistency = ordered.filter((size) => size < pinned).map((first) => ({ first, second: pinned, hashes: proofs.builder.consistencyProof(first).map(hashToHex) }));
  return { text: formatCheckpointsText(rows.map((row) => row.note)), consistency, sizes: ordered };
}

export interface PackKeys {
  /** keys/trusted-keys.txt */
  trusted: string;
  /** keys/key-rotations.txt */
  rotations: string;
  /** Whether the keys are the operator's pin (TROVE_AUDIT_TRUSTED_KEYS) or only the published ones. */
  pinnedByOperator: boolean;
}

/**
 * The keys as `trove audit verify` would trust them on this server: TROVE_AUDIT_TRUSTED_KEYS
 * (keys or key files the operator pinned), else the published verifier keys of the key folder;
 * plus the rotation statements, which a verifier accepts only when a trusted key signed them.
 */
export async function packKeys(config: Pick<TroveConfig, 'auditTrustedKeys' | 'auditKeyDir' | 'dataDir'>): Promise<PackKeys> {
  const pinnedByOperator = config.auditTrustedKeys !== undefined;
  const keys = pinnedByOperator
    ? (await readPinnedKeys([], config.auditTrustedKeys, [config.dataDir, config.auditKeyDir])).keys.map((key) => formatVerifierKey(key.name, key.publicKey))
    : (await listPublishedVerifierKeys(config.auditKeyDir)).map((key) => key.verifierKey);
  const origin = pinnedByOperator
    ? '# The verifier keys this Trove was told to trust (TROVE_AUDIT_TRUSTED_KEYS, pinned by its operator).'
    : '# The verifier keys this Trove publishes (GET /api/v4/audit_events/checkpoint); its operator pinned none (TROVE_AUDIT_TRUSTED_KEYS).';
  const trusted = [origin, '# Compare them with the key you obtained from the operator yourself before you rely on them.', ...keys].join('\n') + '\n';
  const statements = await listRotationStatements(config.auditKeyDir);
  // A verifier ignores what is not a statement signed by a trusted key, this line included.
  const rotations = statements.length ? formatCheckpointsText(statements.map((s) => s.note)) : '# No key rotation: the keys of trusted-keys.txt signed every checkpoint.\n';
  return { trusted, rotations, pinnedByOperator };
}
