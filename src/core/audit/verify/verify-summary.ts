import type { VerifySummary } from './verify-log.js';

// What `trove audit verify` and the evidence pack's verify.mjs print for a log that verified.

function range(first: number | null, last: number | null): string {
  if (first === null || last === null) return '';
  return first === last ? ` (seq ${first})` : ` (seq ${first}..${last})`;
}

export function formatSummary(summary: VerifySummary, source: string): string {
  const lines = [`audit log verified: ${source}${summary.origin ? `, origin ${summary.origin}` : ''}`];
  lines.push(`  events checked:        ${summary.events}${range(summary.firstSeq, summary.lastSeq)}`);
  const sizes = summary.checkpoints ? ` (tree sizes ${summary.smallestTreeSize}..${summary.latestTreeSize})` : '';
  const how =
    summary.mode === 'full'
      ? summary.checkpoints
        ? `, each root recomputed from the events (so they are consistent)`
        : ''
      : `, ${summary.inclusionProofs} inclusion proofs verified${summary.provenByRuns ? ` and by them ${summary.provenByRuns} events between them in runs of consecutive seqs` : ''} (a filtered export: events outside the filter were not checked)`;
  lines.push(`  checkpoints verified:  ${summary.checkpoints}${sizes}${how}`);
  if (summary.consistencyProofs) lines.push(`  consistency proofs:    ${summary.consistencyProofs} (every earlier checkpoint is a prefix of the latest)`);
  lines.push(`  keys used:             ${summary.keys.length ? summary.keys.map((k) => `${k.key} (${k.checkpoints})`).join(', ') : 'none'}`);
  lines.push(`  not yet sealed:        ${summary.unsealed ? `${summary.unsealed.count} events${range(summary.unsealed.firstSeq, summary.unsealed.lastSeq)}` : 'none'}`);
  if (summary.checkpoints === 0) lines.push('  warning: no checkpoint at all, so nothing is sealed by a signature');
  if (summary.withoutLeafHash) lines.push(`  note: ${summary.withoutLeafHash} events carried no leaf_hash (recomputed only)`);
  return lines.join('\n');
}
