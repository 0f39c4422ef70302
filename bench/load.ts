import { join } from 'node:path';
import { AUTOCANNON_BIN } from './peer.js';
import { run } from './processes.js';
import type { PublishJob } from './publish-worker.js';

// Load generators, each in a process of its own: autocannon for GETs, publish-worker.ts for publishes.

export interface GetLoad {
  url: string;
  headers: Record<string, string>;
  connections: number;
  seconds: number;
}

/** Requests per second of a GET under `connections` keep-alive connections; fails on any non-2xx. */
export async function getRate(load: GetLoad): Promise<number> {
  const args = [AUTOCANNON_BIN, '-j', '-c', String(load.connections), '-d', String(load.seconds)];
  for (const [key, value] of Object.entries(load.headers)) args.push('-H', `${key}:${value}`);
  args.push(load.url);
  const out = JSON.parse(await run(process.execPath, args)) as { requests: { average: number; total: number }; non2xx: number; errors: number; timeouts: number; duration: number };
  if (out.non2xx > 0 || out.errors > 0) throw new Error(`${load.url}: ${out.non2xx} non-2xx answers, ${out.errors} errors`);
  if (out.requests.total === 0) throw new Error(`${load.url}: no request completed`);
  return out.requests.total / out.duration;
}

/** Publishes per second of a publish job (see publish-worker.ts). */
export async function publishRate(job: PublishJob): Promise<number> {
  const out = JSON.parse(await run(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'publish-worker.ts'), JSON.stringify(job)])) as { publishes: number; seconds: number };
  return out.publishes / out.seconds;
}
