import { Agent, request } from 'node:http';
import { withCpuUse } from './cpu.js';
import { PUBLISH_HEADERS, publishBodyFor, publishRequestBytes } from './fixtures.js';

// The publish load generator, run as its own process (like autocannon for reads) so that the
// harness's work does not share a CPU queue with the measured requests. Request bodies are built
// and serialised before the clock starts, and sent with node:http over keep-alive connections:
// about 0.4 ms of client CPU per publish, where fetch() took 1.4-1.6 ms (against a server that
// answers at once). On two cores the client's CPU is taken from the server under test, and it
// hid most of the difference between the servers. argv[2]: JSON of PublishJob or InterleavedPublishJob.
// Prints {"publishes": n, "seconds": s} (and "cpu" when asked), or for an interleaved job {"rates": [a, b]} (publishes/s).

export interface PublishJob {
  registry: string;
  token: string;
  /** One package per publisher; each publishes `versions` new versions one after the other. */
  packages: string[];
  versions: number;
  /** When given, also prints where the machine's CPU went meanwhile (cpu.ts), these pids apart. */
  cpuOfPids?: number[];
}

/** One publisher on one server, which may be a group of it. */
export interface PublishTarget {
  registry: string;
  token: string;
  /** The package it publishes new versions of. */
  package: string;
}

/**
 * Two targets published to by one sequential publisher, `chunk` versions at a time, alternately
 * (A B, B A, ...), until each had `versions`: both sides are measured within the same second,
 * so a machine that slows down or speeds up for a while (this VM does, by 10-30 % for seconds at
 * a time) touches both alike. Each side's rate counts only the time of its own chunks.
 */
export interface InterleavedPublishJob {
  interleave: [PublishTarget, PublishTarget];
  versions: number;
  chunk: number;
}

const job = JSON.parse(process.argv[2]) as PublishJob | InterleavedPublishJob;
const targets: PublishTarget[] = 'interleave' in job ? job.interleave : job.packages.map((name) => ({ registry: job.registry, token: job.token, package: name }));
const registries = targets.map((target) => new URL(target.registry));
const agent = new Agent({ keepAlive: true, maxSockets: targets.length });

function put(p: number, body: Buffer): Promise<void> {
  const [target, registry] = [targets[p], registries[p]];
  const headers = { ...PUBLISH_HEADERS, authorization: `Bearer ${target.token}`, 'content-length': body.length };
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: registry.hostname, port: registry.port, method: 'PUT', path: `${registry.pathname}${target.package}`, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        if (res.statusCode === 200 || res.statusCode === 201) resolve();
        else reject(new Error(`publish ${target.package} to ${target.registry}: ${res.statusCode} ${Buffer.concat(chunks).toString()}`));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const bodies = await Promise.all(
  targets.map(async (target) =>
    Promise.all(Array.from({ length: job.versions }, async (_, v) => publishRequestBytes(target.registry, target.package, await publishBodyFor(target.package, `1.0.${v}`)))),
  ),
);

async function publishVersions(p: number, from: number, to: number): Promise<number> {
  const started = process.hrtime.bigint();
  for (let v = from; v < to; v++) await put(p, bodies[p][v]);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

if ('interleave' in job) {
  const seconds = [0, 0];
  for (let from = 0, turn = 0; from < job.versions; from += job.chunk, turn++) {
    const to = Math.min(job.versions, from + job.chunk);
    for (const p of turn % 2 === 0 ? [0, 1] : [1, 0]) seconds[p] += await publishVersions(p, from, to);
  }
  agent.destroy();
  process.stdout.write(JSON.stringify({ rates: seconds.map((s) => job.versions / s) }) + '\n');
} else {
  const measured = await withCpuUse(job.cpuOfPids, async () => {
    const started = process.hrtime.bigint();
    await Promise.all(targets.map((_, p) => publishVersions(p, 0, job.versions)));
    return { seconds: Number(process.hrtime.bigint() - started) / 1e9 };
  });
  agent.destroy();
  process.stdout.write(JSON.stringify({ publishes: targets.length * job.versions, ...measured }) + '\n');
}
