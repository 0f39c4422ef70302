import { join } from 'node:path';
import type { CpuUse } from './cpu.js';
import type { GetJob } from './get-worker.js';
import { AUTOCANNON_BIN } from './peer.js';
import { run } from './processes.js';
import type { InterleavedPublishJob, PublishJob } from './publish-worker.js';

// Load generators, each in a process of its own: autocannon for package documents, get-worker.ts
// (node:http, llhttp) for file downloads, publish-worker.ts for publishes.

export interface GetLoad {
  url: string;
  headers: Record<string, string>;
  connections: number;
  seconds: number;
}

interface GetOutcome {
  requests: number;
  non2xx: number;
  errors: number;
  seconds: number;
}

function rateOf(load: GetLoad, out: GetOutcome): number {
  if (out.non2xx > 0 || out.errors > 0) throw new Error(`${load.url}: ${out.non2xx} non-2xx answers, ${out.errors} errors`);
  if (out.requests === 0) throw new Error(`${load.url}: no request completed`);
  return out.requests / out.seconds;
}

/**
 * Requests per second of a GET of a package document under `connections` keep-alive connections;
 * fails on any non-2xx. autocannon costs the least CPU per request on small answers, and shares
 * the two cores with the server under test.
 */
export async function getRate(load: GetLoad): Promise<number> {
  const args = [AUTOCANNON_BIN, '-j', '-c', String(load.connections), '-d', String(load.seconds)];
  for (const [key, value] of Object.entries(load.headers)) args.push('-H', `${key}:${value}`);
  args.push(load.url);
  const out = JSON.parse(await run(process.execPath, args)) as { requests: { total: number }; non2xx: number; errors: number; duration: number };
  return rateOf(load, { requests: out.requests.total, non2xx: out.non2xx, errors: out.errors, seconds: out.duration });
}

/** The same for a package file (binary body): see get-worker.ts for why not autocannon. */
export async function fileGetRate(load: GetLoad): Promise<number> {
  return (await fileGetMeasured(load)).rate;
}

/** A measured rate, and where the machine's CPU went meanwhile when the job named pids (cpu.ts). */
export interface Measured {
  rate: number;
  requests: number;
  cpu?: CpuUse;
}

/** fileGetRate, with the CPU use of `job.cpuOfPids` and of PostgreSQL when given. */
export async function fileGetMeasured(job: GetJob): Promise<Measured> {
  const out = JSON.parse(await run(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'get-worker.ts'), JSON.stringify(job)])) as GetOutcome & { cpu?: CpuUse };
  return { rate: rateOf(job, out), requests: out.requests, cpu: out.cpu };
}

const runPublishWorker = async (job: PublishJob | InterleavedPublishJob): Promise<unknown> =>
  JSON.parse(await run(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'publish-worker.ts'), JSON.stringify(job)]));

/** Publishes per second of a publish job (see publish-worker.ts). */
export async function publishRate(job: PublishJob): Promise<number> {
  return (await publishMeasured(job)).rate;
}

/** publishRate, with the CPU use of `job.cpuOfPids` and of PostgreSQL when given. */
export async function publishMeasured(job: PublishJob): Promise<Measured> {
  const out = (await runPublishWorker(job)) as { publishes: number; seconds: number; cpu?: CpuUse };
  return { rate: out.publishes / out.seconds, requests: out.publishes, cpu: out.cpu };
}

/** Publishes per second of each side of an interleaved publish job (see publish-worker.ts). */
export async function interleavedPublishRates(job: InterleavedPublishJob): Promise<[number, number]> {
  return ((await runPublishWorker(job)) as { rates: [number, number] }).rates;
}
