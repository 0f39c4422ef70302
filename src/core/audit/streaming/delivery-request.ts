import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { assertAddressAllowed, guardedLookup, hostOf, portOf, type AddressPolicy } from './destination-address.js';
import { verificationToken, webhookSignature } from './webhook-signature.js';

// One delivery: POST one record to one destination with the Standard Webhooks and GitLab headers.

/** A destination as stored: its custom headers are the JSON text of the row. */
export interface DeliveryTarget {
  url: string;
  secret: string;
  headers: string;
}

export interface DeliveryMessage {
  uuid: string;
  eventName: string;
  body: string;
}

export type DeliveryResult =
  | { kind: 'delivered'; status: number }
  | { kind: 'gone'; status: 410 }
  | { kind: 'failed'; status: number | null; error: string; retryAfterMs: number | null };

// Keep-alive: a SIEM receives a steady stream; a new TCP/TLS handshake per event would dominate.
const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 4 }), https: new https.Agent({ keepAlive: true, maxSockets: 4 }) };

/** Retry-After as seconds or an HTTP date, in ms from now (null when absent or unreadable). */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function signedHeaders(target: DeliveryTarget, message: DeliveryMessage): Record<string, string> {
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    ...(JSON.parse(target.headers) as Record<string, string>),
    'content-type': 'application/json',
    'webhook-id': message.uuid,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': webhookSignature(target.secret, message.uuid, timestamp, message.body),
    'x-gitlab-event-streaming-token': verificationToken(target.secret),
    'x-gitlab-audit-event-type': message.eventName,
    'user-agent': 'Trove-Audit-Streaming/1',
  };
}

/**
 * Sends the message; never throws: every way it can go wrong is a `failed` result, including a
 * request that cannot even be built (a stored header Node refuses, unreadable stored headers), so
 * that the worker records it as the destination's last error and retries on its schedule.
 */
export function deliver(target: DeliveryTarget, message: DeliveryMessage, policy: AddressPolicy, timeoutMs: number, signal?: AbortSignal): Promise<DeliveryResult> {
  return new Promise((resolve) => {
    const fail = (error: string, status: number | null = null, retryAfter: number | null = null) =>
      resolve({ kind: 'failed', status, error, retryAfterMs: retryAfter });
    try {
      send(target, message, policy, timeoutMs, signal, resolve, fail);
    } catch (error) {
      fail(error instanceof Error ? error.message : String(error));
    }
  });
}

function send(
  target: DeliveryTarget,
  message: DeliveryMessage,
  policy: AddressPolicy,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  resolve: (result: DeliveryResult) => void,
  fail: (error: string, status?: number | null, retryAfter?: number | null) => void,
): void {
  const url = new URL(target.url);
  // Names are checked by the lookup below; IP literals never go through a lookup.
  if (isIP(hostOf(url))) assertAddressAllowed(hostOf(url), portOf(url), policy);
  const secure = url.protocol === 'https:';
  const body = Buffer.from(message.body);
  const request = (secure ? https : http).request(url, {
    method: 'POST',
    agent: secure ? agents.https : agents.http,
    headers: { ...signedHeaders(target, message), 'content-length': String(body.length) },
    lookup: guardedLookup(portOf(url), policy) as never,
    signal,
  });
  const timer = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  request.on('error', (error) => {
    clearTimeout(timer);
    fail(error.message);
  });
  request.on('response', (response) => {
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      if (text.length < 512) text += chunk;
    });
    response.on('error', (error) => {
      clearTimeout(timer);
      fail(error.message);
    });
    response.on('end', () => {
      clearTimeout(timer);
      const status = response.statusCode ?? 0;
      if (status >= 200 && status < 300) return resolve({ kind: 'delivered', status });
      if (status === 410) return resolve({ kind: 'gone', status });
      const retryAfter = status === 429 || status === 503 ? retryAfterMs(response.headers['retry-after']) : null;
      fail(`HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`, status, retryAfter);
    });
  });
  request.end(body);
}
