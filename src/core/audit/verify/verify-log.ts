// `trove audit verify` (docs/architecture.md#tamper-evidence): checks a stream of audit records, in seq order, against signed
// checkpoints and the verifier keys the auditor trusts. No database or HTTP here: the records
// come from an async iterable (a JSONL export, or the live database through verify-sources.ts).
//
// Full log (events 1..N): every leaf hash is recomputed from the record (RFC 8785, without the
// leaf_hash and inclusion_proof fields) and compared with the one it carries; seq must run 1..N
// without gaps and id = seq; the leaves go into a CompactRange (constant memory in N) whose root is
// compared with every checkpoint of size <= N. Since every leaf is present, two checkpoints whose
// roots both match the recomputed tree are consistent with each other (the older tree is a prefix
// of the newer one): no consistency proof is needed. A checkpoint larger than N means the log
// lost its tail. Filtered export (one group or project): seq only grows, and every sealed record
// carries an RFC 6962 inclusion proof that must verify against the signed checkpoint of its tree
// size; records after the last checkpoint have no proof and are reported as not yet sealed.
//
// The result names the first bad seq: failures are reported in seq order, and a problem with a
// checkpoint (unknown key, bad signature, two roots for one size, root mismatch) is attributed to
// the first seq it alone seals, i.e. the previous checkpoint's size + 1.
import { openCheckpoint } from '../seal/checkpoint.js';
import { parseCheckpoint } from '../seal/checkpoint.js';
import { CompactRange } from '../seal/compact-range.js';
import { emptyRoot, hashesEqual, hashFromHex, hashToHex, verifyConsistency, type Hash } from '../seal/merkle.js';
import { keyIdToHex, parseSignedNote, type NoteVerifierKey } from '../seal/signed-note.js';
import { ProvenRuns } from './proven-runs.js';
import { asSafeCount, isOtherLine, RecordChecker, type CheckedLine, type TrustedRootsJson } from './record-check.js';
import { InvalidEvent, type VerifyEvent } from './verify-events.js';

export { InvalidEvent, type VerifyEvent };

/** A signed checkpoint (C2SP signed note) and where it came from, for messages. */
export interface CheckpointInput {
  note: string;
  /** e.g. "checkpoints.txt #3" or "audit_checkpoints row 40". */
  source: string;
  /** Tree size and root stored next to the note (JSON file, database row): must agree with it. */
  declaredTreeSize?: number;
  declaredRootHash?: string;
}

/** A consistency proof (RFC 9162 PROOF) between the checkpoints of two tree sizes, hashes in hex. */
export interface ConsistencyInput {
  first: number;
  second: number;
  hashes: string[];
  /** e.g. "checkpoints/consistency.json[2]". */
  source: string;
}

export interface VerifyOptions {
  /** 'full': the whole log from seq 1; 'filtered': a filtered export proven by inclusion proofs. */
  mode: 'full' | 'filtered';
  checkpoints: readonly CheckpointInput[];
  trustedKeys: readonly NoteVerifierKey[];
  /** The log's origin; by default the origin of the smallest trusted checkpoint, which all must share. */
  origin?: string;
  /**
   * Filtered mode: consistency proofs from every trusted checkpoint to the largest one. When
   * given, each must verify and every smaller checkpoint needs one (a full log needs none: its
   * roots are all recomputed from the same leaves).
   */
  consistency?: readonly ConsistencyInput[];
}

export interface VerifySummary {
  mode: 'full' | 'filtered';
  /** Records checked, and the first and last seq seen. */
  events: number;
  firstSeq: number | null;
  lastSeq: number | null;
  origin: string | null;
  /** Checkpoints whose signature verified (distinct tree sizes). */
  checkpoints: number;
  smallestTreeSize: number | null;
  latestTreeSize: number;
  /** Full mode: checkpoints whose root was recomputed from the events. */
  rootsRecomputed: number;
  /** Records whose inclusion proof verified. */
  inclusionProofs: number;
  /** Filtered mode: records without a proof of their own, between two such proofs in a run of consecutive seqs and proven by them (proven-runs.ts). */
  provenByRuns: number;
  /** Checkpoints proven consistent with the largest one by a consistency proof. */
  consistencyProofs: number;
  /** "name+keyid" of each key that verified checkpoints, with how many. */
  keys: Array<{ key: string; checkpoints: number }>;
  /** Records after the last checkpoint (full) or without an inclusion proof (filtered). */
  unsealed: { count: number; firstSeq: number; lastSeq: number } | null;
  /** Records that carried no leaf_hash (only the recomputed hash was used). */
  withoutLeafHash: number;
}

/**
 * `filteredExport`: not a verdict on the log but on the input: a filtered export given to the
 * full check, or one without the inclusion proofs that alone can prove it (the CLI exits 3).
 */
export type VerifyResult =
  | { ok: true; summary: VerifySummary }
  | { ok: false; seq: number | null; reason: string; summary: VerifySummary; filteredExport?: true };

interface TrustedCheckpoint {
  size: number;
  root: Hash;
  sources: string[];
  keys: string[];
}

interface Failure {
  seq: number | null;
  reason: string;
  filteredExport?: true;
}

/** The first line of a filtered JSONL export (export/export-audit.ts ExportHeader), not a record. */
function exportHeaderOf(event: VerifyEvent): { of?: unknown; filters?: unknown; proofs?: unknown } | null {
  if (event instanceof InvalidEvent || 'seq' in event) return null;
  const header = event.audit_export;
  return typeof header === 'object' && header !== null && (header as { filtered?: unknown }).filtered === true ? (header as Record<string, unknown>) : null;
}

const FILTERED_ADVICE = 'this export is filtered: export with proofs and verify with --filtered';

function filteredExport(header: { of?: unknown; filters?: unknown; proofs?: unknown } | null, full: boolean): Failure | null {
  const what = header ? ` (of ${String(header.of)}${header.filters && Object.keys(header.filters).length ? `, filters ${JSON.stringify(header.filters)}` : ''})` : '';
  if (full) {
    const advice = header?.proofs === true ? 'this export is filtered: verify it with --filtered' : FILTERED_ADVICE;
    return { seq: null, reason: `${advice}${what}; the seqs it skips are the filter's, not a fault of the log`, filteredExport: true };
  }
  if (header && header.proofs !== true) {
    return { seq: null, reason: `${FILTERED_ADVICE}${what}: it carries no inclusion proofs, so it cannot be verified on its own (proofs=true, or trove audit export --proofs)`, filteredExport: true };
  }
  return null;
}

const describeKey = (key: NoteVerifierKey) => `${key.name}+${keyIdToHex(key.keyId)}`;

/** The tree size a note claims, without trusting it (to attribute a failure), or null. */
function claimedTreeSize(note: string): number | null {
  try {
    return parseCheckpoint(parseSignedNote(note).text).treeSize;
  } catch {
    return null;
  }
}

class Checkpoints {
  readonly trusted: TrustedCheckpoint[] = [];
  readonly bySize = new Map<number, TrustedCheckpoint>();
  /** Failures attributed to a seq, sorted by seq. */
  readonly failures: Failure[] = [];
  /** Why the checkpoints of a tree size were refused. */
  readonly rejected = new Map<number, string>();
  fatal: Failure | null = null;
  origin: string | null = null;

  constructor(inputs: readonly CheckpointInput[], keys: readonly NoteVerifierKey[], origin: string | undefined) {
    this.origin = origin ?? null;
    const opened: Array<{ size: number; root: Hash; origin: string; source: string; keys: string[] }> = [];
    const bad: Array<{ size: number; reason: string }> = [];
    for (const input of inputs) {
      const result = openCheckpoint(input.note, keys);
      if (!result.ok) {
        const size = claimedTreeSize(input.note);
        const reason = `checkpoint${size === null ? '' : ` of tree size ${size}`} (${input.source}): ${result.reason}`;
        if (size === null) {
          this.fatal ??= { seq: null, reason };
        } else {
          bad.push({ size, reason });
        }
        continue;
      }
      const { checkpoint } = result;
      const root = hashToHex(checkpoint.rootHash);
      if (input.declaredTreeSize !== undefined && input.declaredTreeSize !== checkpoint.treeSize) {
        bad.push({ size: checkpoint.treeSize, reason: `${input.source} says tree size ${input.declaredTreeSize} but its signed checkpoint says ${checkpoint.treeSize}` });
        continue;
      }
      if (input.declaredRootHash !== undefined && input.declaredRootHash !== root) {
        bad.push({ size: checkpoint.treeSize, reason: `${input.source} says root ${input.declaredRootHash} but its signed checkpoint says ${root}` });
        continue;
      }
      opened.push({ size: checkpoint.treeSize, root: checkpoint.rootHash, origin: checkpoint.origin, source: input.source, keys: result.verifiedBy.map(describeKey) });
    }
    opened.sort((a, b) => a.size - b.size);
    this.origin ??= opened[0]?.origin ?? null;
    for (const cp of opened) {
      if (cp.origin !== this.origin) {
        bad.push({ size: cp.size, reason: `checkpoint of tree size ${cp.size} (${cp.source}) is for log ${JSON.stringify(cp.origin)}, not ${JSON.stringify(this.origin)}` });
        continue;
      }
      const same = this.bySize.get(cp.size);
      if (same) {
        if (!hashesEqual(same.root, cp.root)) {
          bad.push({
            size: cp.size,
            reason: `two signed checkpoints of tree size ${cp.size} disagree: root ${hashToHex(same.root)} (${same.sources.join(', ')}) and ${hashToHex(cp.root)} (${cp.source}): the log was forked or rewritten`,
          });
          continue;
        }
        same.sources.push(cp.source);
        for (const key of cp.keys) if (!same.keys.includes(key)) same.keys.push(key);
        continue;
      }
      if (cp.size === 0 && !hashesEqual(cp.root, emptyRoot())) {
        bad.push({ size: 0, reason: `checkpoint of tree size 0 (${cp.source}) does not have the empty tree's root` });
        continue;
      }
      const trusted: TrustedCheckpoint = { size: cp.size, root: cp.root, sources: [cp.source], keys: [...cp.keys] };
      this.trusted.push(trusted);
      this.bySize.set(cp.size, trusted);
    }
    for (const failure of bad) if (!this.rejected.has(failure.size)) this.rejected.set(failure.size, failure.reason);
    for (const failure of bad) this.failures.push({ seq: this.previousSize(failure.size) + 1, reason: failure.reason });
    this.failures.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  }

  /** What a record needs to check its inclusion proof (record-check.ts), also on another thread. */
  rootsJson(): TrustedRootsJson {
    return { trusted: this.trusted.map((cp) => [cp.size, hashToHex(cp.root), cp.keys]), rejected: [...this.rejected] };
  }

  /**
   * Checks the consistency proofs: each between two trusted checkpoints, and one from every
   * trusted checkpoint to the largest. A failure is attributed like a bad checkpoint's.
   * Returns how many checkpoints were proven consistent with the largest one.
   */
  checkConsistency(proofs: readonly ConsistencyInput[]): number {
    const latest = this.trusted[this.trusted.length - 1];
    const proven = new Set<number>();
    const bad: Failure[] = [];
    for (const proof of proofs) {
      const [older, newer] = [this.bySize.get(proof.first), this.bySize.get(proof.second)];
      const hashes = Array.isArray(proof.hashes) && proof.hashes.every((h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h)) ? proof.hashes.map(hashFromHex) : null;
      if (!older || !newer || hashes === null) {
        const missing = !older ? proof.first : proof.second;
        const reason = hashes === null ? 'its hashes are not lowercase hex SHA-256 hashes' : `there is no trusted checkpoint of tree size ${missing}`;
        bad.push({ seq: this.previousSize(proof.second) + 1, reason: `consistency proof ${proof.first} -> ${proof.second} (${proof.source}): ${reason}` });
        continue;
      }
      if (!verifyConsistency(proof.first, proof.second, older.root, newer.root, hashes)) {
        bad.push({
          seq: this.previousSize(proof.first) + 1,
          reason:
            `the checkpoints of tree sizes ${proof.first} and ${proof.second} are not consistent (${proof.source}): ` +
            `the log of the smaller one is not a prefix of the larger one's (forked or rewritten)`,
        });
        continue;
      }
      if (newer === latest) proven.add(older.size);
    }
    for (const cp of this.trusted) {
      if (cp !== latest && !proven.has(cp.size)) {
        bad.push({ seq: this.previousSize(cp.size) + 1, reason: `no consistency proof from the checkpoint of tree size ${cp.size} (${cp.sources.join(', ')}) to the latest one (${latest.size})` });
      }
    }
    this.failures.push(...bad);
    this.failures.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
    return proven.size;
  }

  /** The largest trusted tree size strictly below `size` (0 if none). */
  previousSize(size: number): number {
    let previous = 0;
    for (const cp of this.trusted) if (cp.size < size && cp.size > previous) previous = cp.size;
    return previous;
  }

  get latestSize(): number {
    return this.trusted.length ? this.trusted[this.trusted.length - 1].size : 0;
  }

  /** The first failure attributed to a seq <= `seq`, if any. */
  dueAt(seq: number): Failure | null {
    const first = this.failures[0];
    return first && first.seq !== null && first.seq <= seq ? first : null;
  }
}

/**
 * Checks records one by one in seq order (this thread), or takes records another part already
 * checked on their own (jsonl-check-workers.ts: on worker threads), given what they need.
 */
export type VerifySource = AsyncIterable<VerifyEvent> | Iterable<VerifyEvent> | ((roots: TrustedRootsJson) => AsyncIterable<CheckedLine>);

async function* checkedHere(events: AsyncIterable<VerifyEvent> | Iterable<VerifyEvent>, roots: TrustedRootsJson): AsyncGenerator<CheckedLine> {
  const checker = new RecordChecker(roots);
  for await (const event of events) yield checker.check(event);
}

export async function verifyAuditLog(source: VerifySource, options: VerifyOptions): Promise<VerifyResult> {
  const summary: VerifySummary = {
    mode: options.mode,
    events: 0,
    firstSeq: null,
    lastSeq: null,
    origin: options.origin ?? null,
    checkpoints: 0,
    smallestTreeSize: null,
    latestTreeSize: 0,
    rootsRecomputed: 0,
    inclusionProofs: 0,
    provenByRuns: 0,
    consistencyProofs: 0,
    keys: [],
    unsealed: null,
    withoutLeafHash: 0,
  };
  const fail = (failure: Failure): VerifyResult => ({ ok: false, seq: failure.seq, reason: failure.reason, summary, ...(failure.filteredExport ? { filteredExport: true } : {}) });
  if (options.trustedKeys.length === 0) return fail({ seq: null, reason: 'no trusted verifier keys were given' });

  const checkpoints = new Checkpoints(options.checkpoints, options.trustedKeys, options.origin);
  summary.origin = checkpoints.origin;
  summary.checkpoints = checkpoints.trusted.length;
  summary.smallestTreeSize = checkpoints.trusted[0]?.size ?? null;
  summary.latestTreeSize = checkpoints.latestSize;
  const keyCounts = new Map<string, number>();
  for (const cp of checkpoints.trusted) for (const key of cp.keys) keyCounts.set(key, (keyCounts.get(key) ?? 0) + 1);
  summary.keys = [...keyCounts].map(([key, count]) => ({ key, checkpoints: count }));
  if (checkpoints.fatal) return fail(checkpoints.fatal);

  const full = options.mode === 'full';
  if (!full && options.consistency && checkpoints.trusted.length > 0) summary.consistencyProofs = checkpoints.checkConsistency(options.consistency);
  const range = CompactRange.empty();
  // Full mode: the trusted checkpoints not yet compared, smallest first, and the last one that matched.
  let next = 0;
  let lastMatched = 0;
  const compareDue = (): Failure | null => {
    while (next < checkpoints.trusted.length && checkpoints.trusted[next].size <= range.size) {
      const cp = checkpoints.trusted[next++];
      if (cp.size < range.size) continue; // only the empty tree can be skipped like this
      if (!hashesEqual(range.root(), cp.root)) {
        return {
          seq: lastMatched + 1,
          reason:
            `the root of events 1..${cp.size} is ${hashToHex(range.root())}, but the checkpoint of tree size ${cp.size} ` +
            `(${cp.sources.join(', ')}, signed by ${cp.keys.join(', ')}) says ${hashToHex(cp.root)}: ` +
            `an event in seq ${lastMatched + 1}..${cp.size} was modified, inserted, deleted or reordered`,
        };
      }
      summary.rootsRecomputed++;
      lastMatched = cp.size;
    }
    return null;
  };
  const empty = compareDue();
  if (empty) return fail(empty);

  let previousSeq = 0;
  const runs = new ProvenRuns();
  const unclosedRun = (): Failure | null => {
    const pending = runs.pending;
    return pending && { seq: pending.first, reason: `seq ${pending.first} carries no inclusion proof, and no proof at the end of its run of consecutive events proves it` };
  };
  let unsealedFirst: number | null = null;
  let unsealedLast = 0;
  let unsealedCount = 0;

  const roots = checkpoints.rootsJson();
  const lines = typeof source === 'function' ? source(roots) : checkedHere(source, roots);
  let firstLine = true;
  for await (const line of lines) {
    const expected = previousSeq + 1;
    if (isOtherLine(line)) {
      const event = line.other;
      // A filtered export says so on its first line: its gaps are the filter, not deletions.
      if (firstLine) {
        firstLine = false;
        const header = exportHeaderOf(event);
        if (header) {
          const refused = filteredExport(header, full);
          if (refused) return fail(refused);
          continue;
        }
      }
      if (event instanceof InvalidEvent) return fail(checkpoints.dueAt(expected) ?? { seq: expected, reason: event.reason });
      if (typeof event !== 'object' || event === null || Array.isArray(event)) {
        return fail(checkpoints.dueAt(expected) ?? { seq: expected, reason: 'not a JSON object' });
      }
      return fail(checkpoints.dueAt(expected) ?? { seq: expected, reason: `the event after seq ${previousSeq} has no valid seq (${JSON.stringify(event.seq)})` });
    }
    firstLine = false;
    const { seq } = line;
    const due = checkpoints.dueAt(full ? expected : seq);
    if (due) return fail(due);
    if (full && seq !== expected) {
      // An export of before the header line: its proofs still tell that it is filtered.
      if (previousSeq === 0 && line.hasProof) return fail(filteredExport({ proofs: true }, true)!);
      return fail({
        seq: expected,
        reason:
          seq > expected
            ? `expected seq ${expected}, found seq ${seq}: seq ${expected}${seq - 1 > expected ? `..${seq - 1}` : ''} missing (deleted, or events reordered)`
            : `expected seq ${expected}, found seq ${seq} again: a duplicate, inserted or reordered event`,
      });
    }
    if (!full && seq <= previousSeq) {
      return fail({ seq, reason: `seq ${seq} comes after seq ${previousSeq}: events are duplicated or out of order` });
    }
    if (!full && seq !== expected) {
      const unclosed = unclosedRun();
      if (unclosed) return fail(unclosed);
    }
    if (line.problem !== null) return fail({ seq, reason: line.problem });
    if (line.withoutLeafHash) summary.withoutLeafHash++;
    if (line.proven) summary.inclusionProofs++;

    if (full) {
      range.append(line.leaf!);
      const mismatch = compareDue();
      if (mismatch) return fail(mismatch);
      if (seq > checkpoints.latestSize) {
        unsealedFirst ??= seq;
        unsealedLast = seq;
        unsealedCount++;
      }
    } else if (line.proven) {
      const broken = runs.proven(seq, line.leaf!, line.proof);
      if (broken) return fail({ seq: runs.pending!.first, reason: broken });
    } else if (seq <= checkpoints.latestSize && runs.extend(seq, line.leaf!)) {
      // proven once the run's last record's proof is checked
    } else {
      const unclosed = unclosedRun();
      if (unclosed) return fail(unclosed);
      if (seq <= checkpoints.latestSize) {
        return fail({ seq, reason: `seq ${seq} is sealed by the checkpoint of tree size ${checkpoints.latestSize}, but the record carries no inclusion proof` });
      }
      unsealedFirst ??= seq;
      unsealedLast = seq;
      unsealedCount++;
    }

    summary.events++;
    summary.firstSeq ??= seq;
    summary.lastSeq = seq;
    previousSeq = seq;
  }

  // What is left: a checkpoint problem beyond the last event, or (full) a log shorter than its checkpoints.
  const pending = checkpoints.failures[0] ?? null;
  const truncated: Failure | null =
    full && checkpoints.latestSize > previousSeq
      ? {
          seq: previousSeq + 1,
          reason:
            `seq ${previousSeq + 1}${checkpoints.latestSize > previousSeq + 1 ? `..${checkpoints.latestSize}` : ''} missing: ` +
            `the log ends at seq ${previousSeq}, but the checkpoint of tree size ${checkpoints.latestSize} ` +
            `(${checkpoints.trusted[checkpoints.trusted.length - 1].sources.join(', ')}) seals ${checkpoints.latestSize} events ` +
            `(tail truncated, or an older backup restored)`,
        }
      : null;
  const unclosed = full ? null : unclosedRun();
  const first = [pending, truncated, unclosed].filter((f): f is Failure => f !== null).sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0))[0];
  if (first) return fail(first);
  if (unsealedFirst !== null) summary.unsealed = { count: unsealedCount, firstSeq: unsealedFirst, lastSeq: unsealedLast };
  summary.provenByRuns = runs.provenByRuns;
  return { ok: true, summary };
}
