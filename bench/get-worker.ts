import { Agent, request } from 'node:http';
import { withCpuUse } from './cpu.js';

// The GET load generator, run as its own process: `connections` keep-alive connections, each
// sending the next request as soon as the previous answer's body is read, for `seconds`.
// node:http parses with llhttp (native). autocannon's JavaScript parser (http-parser-js) tops out
// near 950 answers/s on a 77 KB gzip body here, below what either server delivers, so the tarball
// figure measured autocannon, not the servers (a plain Node server answering the same bytes: 940/s
// with autocannon, 16,600/s when the body was all one byte). argv[2]: JSON of GetJob.
// Prints {"requests": n, "non2xx": n, "errors": n, "seconds": s} (and "cpu" when asked).

export interface GetJob {
  url: string;
  headers: Record<string, string>;
  connections: number;
  seconds: number;
  /** When given, also prints where the machine's CPU went meanwhile (cpu.ts), these pids apart. */
  cpuOfPids?: number[];
}

const job = JSON.parse(process.argv[2]) as GetJob;
const agent = new Agent({ keepAlive: true, maxSockets: job.connections });
const counts = { requests: 0, non2xx: 0, errors: 0 };

function once(): Promise<void> {
  return new Promise((resolve) => {
    const req = request(job.url, { agent, headers: job.headers }, (res) => {
      res.on('data', () => {});
      res.on('end', () => {
        if (res.statusCode! < 200 || res.statusCode! > 299) counts.non2xx++;
        counts.requests++;
        resolve();
      });
      res.on('error', () => (counts.errors++, resolve()));
    });
    req.on('error', () => (counts.errors++, resolve()));
    req.end();
  });
}

const measured = await withCpuUse(job.cpuOfPids, async () => {
  const started = process.hrtime.bigint();
  const deadline = Date.now() + job.seconds * 1000;
  await Promise.all(
    Array.from({ length: job.connections }, async () => {
      while (Date.now() < deadline) await once();
    }),
  );
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9 };
});
agent.destroy();
process.stdout.write(JSON.stringify({ ...counts, ...measured }) + '\n');
