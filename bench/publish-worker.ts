import { publish, publishBodyFor } from './fixtures.js';

// The publish load generator, run as its own process (like autocannon for reads) so that the
// harness's work does not share a CPU queue with the measured requests. Bodies are built before
// the clock starts. argv[2]: JSON of PublishJob. Prints {"publishes": n, "seconds": s}.

export interface PublishJob {
  registry: string;
  token: string;
  /** One package per publisher; each publishes `versions` new versions one after the other. */
  packages: string[];
  versions: number;
}

const job = JSON.parse(process.argv[2]) as PublishJob;
const bodies = await Promise.all(
  job.packages.map(async (name) => Promise.all(Array.from({ length: job.versions }, (_, v) => publishBodyFor(name, `1.0.${v}`)))),
);
const started = process.hrtime.bigint();
await Promise.all(
  job.packages.map(async (name, p) => {
    for (const body of bodies[p]) await publish(job.registry, job.token, name, body);
  }),
);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(JSON.stringify({ publishes: job.packages.length * job.versions, seconds }) + '\n');
