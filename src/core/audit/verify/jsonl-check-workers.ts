// A JSONL export read in blocks of whole lines, each block's records checked on their own
// (record-check.ts: JSON.parse, RFC 8785, SHA-256, inclusion proof: nearly all of verify's CPU)
// on worker threads, one block per worker at a time, the results handed on in file order to
// verify-log.ts, which checks their order, the roots and the checkpoints. On a 2-core machine
// that halves the wall time of a million-record export. A small file is checked on this thread.
import { open } from 'node:fs/promises';
import * as os from 'node:os';
import { isWorkerFor, JobWorker, serveJobs, workerDataOf } from '../../workers/job-worker.js';
import { RecordChecker, isOtherLine, type CheckedLine, type TrustedRootsJson } from './record-check.js';
import { InvalidEvent, type VerifyEvent } from './verify-events.js';
import { parseJsonlLine } from './verify-files.js';

const ROLE = 'audit-verify-lines';
/** Bytes a block: some thousands of records, large enough that messages cost little. */
const BLOCK = 4 << 20;
/** Below this, no worker is started. */
const WORKERS_FROM = 16 << 20;

interface BlockJob {
  bytes: Uint8Array;
  /** 1-based number of the block's first line in the file, for messages. */
  firstLine: number;
}

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
}

function checkBlock(checker: RecordChecker, path: string, job: BlockJob): BlockResult {
  const text = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength).toString('utf8');
  const lines = text.split('\n');
  const result: BlockResult = { count: 0, seqs: new Float64Array(lines.length), leaves: new Uint8Array(32 * lines.length), flags: new Uint8Array(lines.length), problems: [], others: [] };
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].endsWith('\r') ? lines[n].slice(0, -1) : lines[n];
    if (line.trim() === '') continue;
    const checked = checker.check(parseJsonlLine(line, `${path}:${job.firstLine + n}`));
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
  }
  return result;
}

function* linesOf(result: BlockResult): Generator<CheckedLine> {
  const problems = new Map(result.problems);
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
    };
  }
}

// Started as a worker: check blocks for the roots it was given.
if (isWorkerFor(ROLE)) {
  const { path, roots } = workerDataOf<{ path: string; roots: TrustedRootsJson }>();
  const checker = new RecordChecker(roots);
  serveJobs((job: BlockJob) => checkBlock(checker, path, job));
}

/** The file in blocks of whole lines; `onBytes` sees every byte once, in order (a manifest hash). */
async function* blocksOf(path: string, onBytes?: (bytes: Uint8Array) => void): AsyncGenerator<BlockJob> {
  const file = await open(path, 'r');
  try {
    let carry = Buffer.alloc(0);
    let firstLine = 1;
    for (;;) {
      const fresh = Buffer.allocUnsafe(BLOCK);
      const { bytesRead } = await file.read(fresh, 0, BLOCK, null);
      const read = fresh.subarray(0, bytesRead);
      if (bytesRead > 0) onBytes?.(read);
      const data = carry.length ? Buffer.concat([carry, read]) : read;
      const end = bytesRead === 0 ? data.length : data.lastIndexOf(10) + 1;
      if (end > 0) {
        const bytes = data.subarray(0, end);
        yield { bytes, firstLine };
        for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) firstLine++;
      }
      carry = Buffer.from(data.subarray(end));
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
 * The checked lines of a JSONL export, in file order, for verifyAuditLog's source. `threads`:
 * worker threads (default: one per core for a large file, none for a small one).
 */
export function checkJsonlFile(path: string, options: { size: number; threads?: number; onBytes?: (bytes: Uint8Array) => void }): (roots: TrustedRootsJson) => AsyncIterable<CheckedLine> {
  return async function* (roots) {
    const threads = options.threads ?? (options.size >= WORKERS_FROM ? workerCount() : 0);
    if (threads === 0) {
      const checker = new RecordChecker(roots);
      for await (const block of blocksOf(path, options.onBytes)) yield* linesOf(checkBlock(checker, path, block));
      return;
    }
    const workers = Array.from({ length: threads }, () => new JobWorker<BlockJob, BlockResult>({ moduleUrl: import.meta.url, role: ROLE, data: { path, roots } }));
    try {
      // Two blocks per worker in flight: one being checked, one waiting.
      const pending: Promise<BlockResult>[] = [];
      let next = 0;
      for await (const block of blocksOf(path, options.onBytes)) {
        pending.push(workers[next++ % threads].run(block));
        if (pending.length >= 2 * threads) yield* linesOf(await pending.shift()!);
      }
      while (pending.length) yield* linesOf(await pending.shift()!);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }
  };
}
