import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BenchServer } from './servers.js';

// A registry that answers from memory: the first time it sees a GET it asks `origin` and keeps
// the answer (tarball URLs rewritten to point back at it); after that it replays the bytes with
// no work at all. `npm install` against a warmed replay measures npm's own floor: the wall time
// no server, however fast, can go below. It tells which install ratios are reachable at all.

interface Recorded {
  status: number;
  contentType: string;
  body: Buffer;
}

export interface ReplayRegistry extends BenchServer {
  /** GETs answered from memory, and those that had to go to the origin. */
  readonly counts: { replayed: number; recorded: number };
}

export async function startReplayRegistry(origin: BenchServer): Promise<ReplayRegistry> {
  const answers = new Map<string, Recorded>();
  const counts = { replayed: 0, recorded: 0 };
  let ownBase = '';

  async function record(req: IncomingMessage): Promise<Recorded> {
    const res = await fetch(new URL(req.url!, origin.base), { headers: { accept: req.headers.accept ?? '*/*', authorization: `Bearer ${origin.token}` } });
    const contentType = res.headers.get('content-type') ?? 'application/octet-stream';
    let body = Buffer.from(await res.arrayBuffer());
    if (contentType.includes('json')) body = Buffer.from(body.toString('utf8').replaceAll(origin.base, ownBase));
    return { status: res.status, contentType, body };
  }

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    const key = `${req.url} ${req.headers.accept ?? ''}`;
    let recorded = answers.get(key);
    if (recorded) counts.replayed++;
    else {
      recorded = await record(req);
      counts.recorded++;
      if (recorded.status === 200) answers.set(key, recorded);
    }
    res.writeHead(recorded.status, { 'content-type': recorded.contentType, 'content-length': recorded.body.length });
    res.end(recorded.body);
  }

  const server = createServer((req, res) => {
    answer(req, res).catch((error: Error) => res.writeHead(502).end(error.message));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ownBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    name: origin.name,
    base: ownBase,
    registry: origin.registry.replace(origin.base, ownBase),
    token: origin.token,
    pid: process.pid,
    counts,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
