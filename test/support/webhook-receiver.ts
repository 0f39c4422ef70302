import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

// A SIEM stand-in for the streaming tests: a real HTTP server on 127.0.0.1 that records every
// request it fully read and answers as the test says (2xx, an error status, too slowly, or by
// resetting the connection), plus an independent Standard Webhooks 1.0 verifier.

export interface Received {
  webhookId: string;
  timestamp: string;
  signature: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
  at: number;
  /** Answered with a 2xx (a delivery the sender could count as done). */
  acknowledged: boolean;
}

export type Answer = { status: number; headers?: Record<string, string> } | { slowMs: number } | 'reset';

export class WebhookReceiver {
  readonly received: Received[] = [];
  /** `audit_checkpoint` records (docs/architecture.md#tamper-evidence checkpoint mirrors): kept apart from the events, always answered 200. */
  readonly checkpoints: Received[] = [];
  answer: (request: Received) => Answer = () => ({ status: 200 });
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server);
    server.on('connection', (socket) => {
      receiver.sockets.add(socket);
      socket.on('close', () => receiver.sockets.delete(socket));
    });
    server.on('request', (req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => receiver.handle(req.headers, body, res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  private handle(headers: IncomingHttpHeaders, body: string, res: ServerResponse) {
    let json: any = null;
    try {
      json = JSON.parse(body);
    } catch {
      // recorded as is; the test decides whether that is a failure
    }
    const request: Received = {
      webhookId: String(headers['webhook-id']),
      timestamp: String(headers['webhook-timestamp']),
      signature: String(headers['webhook-signature']),
      headers,
      body,
      json,
      at: Date.now(),
      acknowledged: false,
    };
    if (json?.type === 'audit_checkpoint') {
      request.acknowledged = true;
      this.checkpoints.push(request);
      return res.writeHead(200).end('ok');
    }
    this.received.push(request);
    const answer = this.answer(request);
    if (answer === 'reset') return res.socket?.resetAndDestroy();
    if ('slowMs' in answer) {
      const timer = setTimeout(() => !res.destroyed && res.writeHead(200).end('late'), answer.slowMs);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    request.acknowledged = answer.status >= 200 && answer.status < 300;
    res.writeHead(answer.status, answer.headers).end(request.acknowledged ? 'ok' : 'nope');
  }

  /** The seqs of the received events, in order of arrival (test events and unparsable bodies left out). */
  seqs(): number[] {
    return this.received.filter((r) => typeof r.json?.seq === 'number').map((r) => r.json.seq as number);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/**
 * Standard Webhooks 1.0 verification, written from the specification (not from Trove's code):
 * key = base64-decode(secret without "whsec_"); expected = base64(HMAC-SHA256(key, id.ts.body));
 * the header holds space-separated "v1,<sig>" entries, one of which must match; the timestamp
 * must be within 5 minutes.
 */
export function verifyStandardWebhook(secret: string, received: Received, toleranceSeconds = 300): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${received.webhookId}.${received.timestamp}.${received.body}`).digest();
  if (Math.abs(Date.now() / 1000 - Number(received.timestamp)) > toleranceSeconds) return false;
  return received.signature.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    if (version !== 'v1' || !signature) return false;
    const given = Buffer.from(signature, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value other than undefined/null/false, or fails after `timeoutMs` with `what`. */
export async function waitFor<T>(what: string, check: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/**
 * Polls `count` until it reaches `target`; fails only when the count has not grown for `stallMs`
 * (with `what`): a watchdog on progress, so a slow, busy machine passes and a stuck one fails.
 */
export async function waitForCount(what: string, count: () => number, target: number, stallMs = 120_000): Promise<void> {
  let last = count();
  let lastProgress = Date.now();
  while (last < target) {
    if (Date.now() - lastProgress > stallMs) throw new Error(`no progress towards ${what} for ${stallMs} ms (at ${last} of ${target})`);
    await sleep(25);
    const now = count();
    if (now > last) lastProgress = Date.now();
    last = now;
  }
}
