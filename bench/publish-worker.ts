import { Agent, request } from 'node:http';
import { PUBLISH_HEADERS, publishBodyFor, publishRequestBytes } from './fixtures.js';

// The publish load generator, run as its own process (like autocannon for reads) so that the
// harness's work does not share a CPU queue with the measured requests. Request bodies are built
// and serialised before the clock starts, and sent with node:http over keep-alive connections:
// about 0.4 ms of client CPU per publish, where fetch() took 1.4-1.6 ms (against a server that
// answers at once). On two cores the client's CPU is taken from the server under test, and it
// hid most of the difference between the servers. argv[2]: JSON of PublishJob.
// Prints {"publishes": n, "seconds": s}.

export interface PublishJob {
  registry: string;
  token: string;
  /** One package per publisher; each publishes `versions` new versions one after the other. */
  packages: string[];
  versions: number;
}

const job = JSON.parse(process.argv[2]) as PublishJob;
const registry = new URL(job.registry);
const agent = new Agent({ keepAlive: true, maxSockets: job.packages.length });

function put(name: string, body: Buffer): Promise<void> {
  const headers = { ...PUBLISH_HEADERS, authorization: `Bearer ${job.token}`, 'content-length': body.length };
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: registry.hostname, port: registry.port, method: 'PUT', path: `${registry.pathname}${name}`, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        if (res.statusCode === 200 || res.statusCode === 201) resolve();
        else reject(new Error(`publish ${name} to ${job.registry}: ${res.statusCode} ${Buffer.concat(chunks).toString()}`));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const bodies = await Promise.all(
  job.packages.map(async (name) =>
    Promise.all(Array.from({ length: job.versions }, async (_, v) => publishRequestBytes(job.registry, name, await publishBodyFor(name, `1.0.${v}`)))),
  ),
);
const started = process.hrtime.bigint();
await Promise.all(
  job.packages.map(async (name, p) => {
    for (const body of bodies[p]) await put(name, body);
  }),
);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
agent.destroy();
process.stdout.write(JSON.stringify({ publishes: job.packages.length * job.versions, seconds }) + '\n');
