// Records checked on their own (record-check.ts: JSON.parse, RFC 8785, SHA-256, inclusion proof:
// nearly all of verify's CPU) on worker threads, a block at a time per worker, the results handed
// on in order to verify-log.ts, which checks their order, the roots and the checkpoints. A block
// is either bytes of whole lines of a JSONL export, or a batch of database rows (the live verify,
// database-source.ts). On a 2-core machine that halves the wall time of a million records. A small
// file is checked on this thread.
import * as buffer from 'node:buffer';
import { open } from 'node:fs/promises';
import * as os from 'node:os';
import { isWorkerFor, JobWorker, serveJobs, workerDataOf } from '../../workers/job-worker.js';
import { leafHashOfText } from '../seal/canonical-json.js';
import { RecordChecker, StoredLine, isOtherLine, splitProofText, splitStoredLine, type CheckedLine, type CheckedRecord, type OtherLine, type TrustedRootsJson } from './record-check.js';
import { eventOfRow, type EventRow } from './row-event.js';
import { InvalidEvent, type VerifyEvent } from './verify-events.js';
import { parseJsonlLine } from './verify-files.js';

const ROLE = 'audit-verify-lines';
const isAscii = (buffer as { isAscii?: (input: Uint8Array) => boolean }).isAscii;
/** Bytes a block: some thousands of records, large enough that messages cost little. */
const BLOCK = 4 << 20;
/** Below this, no worker is started. */
const WORKERS_FROM = 16 << 20;

interface LinesJob {
  /** The file, for messages. */
  path: string;
  bytes: Uint8Array;
  /** 1-based number of the block's first line in the file, for messages. */
  firstLine: number;
}

interface RowsJob {
  rows: EventRow[];
  indexedUpTo: number;
}

export type CheckJob = LinesJob | RowsJob;

/** A block's lines, compactly: records as typed arrays, the rare others as objects. */
interface BlockResult {
  count: number;
  seqs: Float64Array;
  /** 32 bytes a record (zero when it has a problem before its leaf was computed). */
  leaves: Uint8Array;
  /** 1 proven, 2 without leaf hash, 4 carries an inclusion_proof, 8 leaf present. */
  flags: Uint8Array;
  problems: Array<[index: number, problem: string]>;
  /** Lines that are no record: [index, reason of an InvalidEvent] or [index, the JSON object]. */
  others: Array<[index: number, invalid: string | null, object: Record<string, unknown> | null]>;
  /** Verified proofs where a run of consecutive seqs may need them (see keptProofs). */
  proofs: Array<[index: number, treeSize: number, hashes: string]>;
}

/**
 * The proofs verify-log.ts may need to prove a run of consecutive records by the proofs at its
 * ends: those of records next to a consecutive seq, or at the block's edges (whose neighbour is
 * in another block). An isolated record's proof (most of a group's export) stays here.
 */
function keptProofs(result: BlockResult, proven: Array<[number, number, string]>): BlockResult['proofs'] {
  const { seqs, count } = result;
  return proven.filter(([i]) => i === 0 || i === count - 1 || seqs[i - 1] === seqs[i] - 1 || seqs[i + 1] === seqs[i] + 1);
}

/** The block's results in compact form; `events` yields each record (or line) to check, in order. */
function checkBlock(checker: RecordChecker, size: number, events: Iterable<unknown>, check: (item: unknown) => CheckedRecord | OtherLine): BlockResult {
  const result: BlockResult = { count: 0, seqs: new Float64Array(size), leaves: new Uint8Array(32 * size), flags: new Uint8Array(size), problems: [], others: [], proofs: [] };
  const proven: Array<[number, number, string]> = [];
  for (const item of events) {
    const checked = check(item);
    const i = result.count++;
    if (isOtherLine(checked)) {
      const other = checked.other;
      result.others.push(other instanceof InvalidEvent ? [i, other.reason, null] : [i, null, other]);
      continue;
    }
    result.seqs[i] = checked.seq;
    result.flags[i] = (checked.proven ? 1 : 0) | (checked.withoutLeafHash ? 2 : 0) | (checked.hasProof ? 4 : 0) | (checked.leaf ? 8 : 0);
    if (checked.leaf) result.leaves.set(checked.leaf, 32 * i);
    if (checked.problem !== null) result.problems.push([i, checked.problem]);
    if (checked.proof) proven.push([i, checked.proof.treeSize, checked.proof.hashes]);
  }
  result.proofs = keptProofs(result, proven);
  return result;
}

/**
 * The block as text. UTF-8 decoding was a fifth of verify's CPU; an export is nearly always ASCII,
 * which latin1 decodes byte for byte, far faster (buffer.isAscii: Node 18.15+, else UTF-8).
 */
function blockText(bytes: Buffer): string {
  return typeof isAscii === 'function' && isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

/** The record of a line that ends with an export's inclusion proof, the proof left as text (ProofText). */
function parseWithProofText(line: string): Record<string, unknown> | null {
  const split = splitProofText(line);
  if (!split) return null;
  let record: unknown;
  try {
    record = JSON.parse(split.record);
  } catch {
    return null;
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return null;
  (record as Record<string, unknown>).inclusion_proof = split.proof;
  return record as Record<string, unknown>;
}

/** A line parsed: the record with its proof (as text), or an invalid line. */
function parsedLine(line: string, where: string): VerifyEvent {
  return parseWithProofText(line) ?? parseJsonlLine(line, where);
}

/** The block's lines: split as stored records where they are written so, else parsed. */
function* jsonlLines(job: LinesJob): Generator<StoredLine | VerifyEvent> {
  const text = blockText(Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength));
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].endsWith('\r') ? lines[n].slice(0, -1) : lines[n];
    if (line.trim() === '') continue;
    yield splitStoredLine(line, job.firstLine + n) ?? parsedLine(line, `${job.path}:${job.firstLine + n}`);
  }
}

/** A JSONL line: the fast check of a stored record, else the full one. */
function checkLine(checker: RecordChecker, path: string, item: StoredLine | VerifyEvent): CheckedRecord | OtherLine {
  if (!(item instanceof StoredLine)) return checker.check(item);
  return checker.checkStored(item) ?? checker.check(parsedLine(item.line, `${path}:${item.lineNumber}`));
}

/** A database row: the record is parsed (its columns are checked against it); its leaf is computed only when its text is not canonical. */
function checkRow(checker: RecordChecker, row: EventRow, indexedUpTo: number): CheckedRecord | OtherLine {
  const canonical = row.leaf_hash !== null && leafHashOfText(row.record) === row.leaf_hash;
  return checker.check(eventOfRow(row, indexedUpTo), canonical);
}

function runJob(checker: RecordChecker, job: CheckJob): BlockResult {
  if ('rows' in job) return checkBlock(checker, job.rows.length, job.rows, (row) => checkRow(checker, row as EventRow, job.indexedUpTo));
  const check = (item: unknown) => checkLine(checker, job.path, item as StoredLine | VerifyEvent);
  // An upper bound of the lines: every line ends with a newline but perhaps the last.
  let lines = 1;
  for (let i = job.bytes.indexOf(10); i !== -1; i = job.bytes.indexOf(10, i + 1)) lines++;
  return checkBlock(checker, lines, jsonlLines(job), check);
}

function* linesOf(result: BlockResult): Generator<CheckedLine> {
  const problems = new Map(result.problems);
  const proofs = new Map(result.proofs.map(([i, treeSize, hashes]) => [i, { treeSize, hashes }]));
  const others = new Map(result.others.map(([i, invalid, object]) => [i, invalid !== null ? new InvalidEvent(invalid) : (object as VerifyEvent)]));
  for (let i = 0; i < result.count; i++) {
    const other = others.get(i);
    if (other !== undefined) {
      yield { other };
      continue;
    }
    const flags = result.flags[i];
    yield {
      seq: result.seqs[i],
      problem: problems.get(i) ?? null,
      leaf: flags & 8 ? result.leaves.subarray(32 * i, 32 * i + 32) : null,
      proven: (flags & 1) !== 0,
      withoutLeafHash: (flags & 2) !== 0,
      hasProof: (flags & 4) !== 0,
      proof: proofs.get(i),
    };
  }
}

// Started as a worker: check blocks for the roots it was given.
if (isWorkerFor(ROLE)) {
  const checker = new RecordChecker(workerDataOf<TrustedRootsJson>());
  serveJobs((job: CheckJob) => runJob(checker, job));
}

/**
 * The file in blocks of whole lines, each in a buffer of its own (so that it can be moved to a
 * worker without a copy); `onBytes` sees every byte once, in order (a manifest hash).
 */
async function* blocksOf(path: string, onBytes?: (bytes: Uint8Array) => void): AsyncGenerator<LinesJob> {
  const file = await open(path, 'r');
  try {
    let carry: Buffer = Buffer.alloc(0);
    let firstLine = 1;
    for (;;) {
      const data = Buffer.allocUnsafeSlow(carry.length + BLOCK);
      carry.copy(data);
      const { bytesRead } = await file.read(data, carry.length, BLOCK, null);
      if (bytesRead > 0) onBytes?.(data.subarray(carry.length, carry.length + bytesRead));
      const filled = carry.length + bytesRead;
      const end = bytesRead === 0 ? filled : data.lastIndexOf(10, filled - 1) + 1;
      carry = Buffer.from(data.subarray(end, filled));
      if (end > 0) {
        const bytes = data.subarray(0, end);
        let lines = 0;
        for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) lines++;
        yield { path, bytes, firstLine };
        firstLine += lines;
      }
      if (bytesRead === 0) return;
    }
  } finally {
    await file.close();
  }
}

function workerCount(): number {
  // os.availableParallelism came in Node 18.14; verify.mjs runs on any Node 18.
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(8, cores));
}

/**
 * The checked records of `jobs`, in order, on `threads` worker threads (default: one per core),
 * two blocks per worker in flight: one being checked, one waiting.
 */
export async function* checkInWorkers(jobs: AsyncIterable<CheckJob>, roots: TrustedRootsJson, threads = workerCount()): AsyncGenerator<CheckedLine> {
  if (threads === 0) {
    const checker = new RecordChecker(roots);
    for await (const job of jobs) yield* linesOf(runJob(checker, job));
    return;
  }
  // A young generation larger than V8's default: each record's parsed object and strings die at
  // once, and scavenges of a small one were a tenth of the CPU.
  const resourceLimits = { maxYoungGenerationSizeMb: 64 };
  const workers = Array.from({ length: threads }, () => new JobWorker<CheckJob, BlockResult>({ moduleUrl: import.meta.url, role: ROLE, data: roots, resourceLimits }));
  try {
    const pending: Promise<BlockResult>[] = [];
    let next = 0;
    for await (const job of jobs) {
      // A block of lines is moved to the worker, not copied (blocksOf gives each its own buffer).
      pending.push(workers[next++ % threads].run(job, 'bytes' in job ? [job.bytes.buffer as ArrayBuffer] : []));
      if (pending.length >= 2 * threads) yield* linesOf(await pending.shift()!);
    }
    while (pending.length) yield* linesOf(await pending.shift()!);
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
}

/**
 * The checked lines of a JSONL export, in file order, for verifyAuditLog's source. `threads`:
 * worker threads (default: one per core for a large file, none for a small one).
 */
export function checkJsonlFile(path: string, options: { size: number; threads?: number; onBytes?: (bytes: Uint8Array) => void }): (roots: TrustedRootsJson) => AsyncIterable<CheckedLine> {
  return (roots) => checkInWorkers(blocksOf(path, options.onBytes), roots, options.threads ?? (options.size >= WORKERS_FROM ? workerCount() : 0));
}
