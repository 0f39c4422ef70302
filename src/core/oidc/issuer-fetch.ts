import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { assertAddressAllowed, DestinationAddressError, guardedLookup, hostOf, portOf, type AddressPolicy } from '../audit/streaming/destination-address.js';

// Fetching an OIDC issuer's discovery document and JWKS under the SSRF policy of streaming
// destinations (destination-address.ts): every connection's resolved address is checked, the
// answer is bounded in time and size, and a redirect may not leave the issuer's origin.

/** Discovery documents and key sets are a few KB; anything much larger is not one. */
export const MAX_DOCUMENT_BYTES = 256 * 1024;
const MAX_REDIRECTS = 3;

/** Why a document could not be fetched: the address is refused, or the issuer did not answer usefully. */
export class IssuerFetchError extends Error {
  constructor(
    readonly kind: 'address_refused' | 'unreachable',
    message: string,
  ) {
    super(message);
  }
}

export interface IssuerFetchPolicy {
  addresses: AddressPolicy;
  /** http:// is accepted only for loopback hosts, and only with this (TROVE_OIDC_ALLOW_INSECURE_ISSUERS=1). */
  allowInsecure: boolean;
  timeoutMs: number;
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1']);

function isLoopbackHost(url: URL): boolean {
  const host = hostOf(url).toLowerCase();
  return LOOPBACK_NAMES.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Throws IssuerFetchError('address_refused') for a URL Trove must not fetch an issuer document from. */
export function assertIssuerUrlAllowed(url: URL, policy: IssuerFetchPolicy): void {
  // Trove's public URL may be a proxy whose address the connection-time guard cannot recognise as Trove.
  const self = new URL(policy.addresses.selfBaseUrl);
  if (self.hostname === url.hostname && portOf(self) === portOf(url)) throw new IssuerFetchError('address_refused', `${url.origin} is this Trove server itself`);
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && policy.allowInsecure && isLoopbackHost(url)) return;
  throw new IssuerFetchError('address_refused', `${url.origin} is not an https URL (http is accepted only on loopback with TROVE_OIDC_ALLOW_INSECURE_ISSUERS=1)`);
}

/** GET `url` and parse its JSON body; follows at most 3 redirects within the same origin. */
export async function fetchIssuerJson(url: URL, policy: IssuerFetchPolicy): Promise<unknown> {
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const answer = await getOnce(current, policy);
    if (answer.kind === 'body') {
      try {
        return JSON.parse(answer.text) as unknown;
      } catch {
        throw new IssuerFetchError('unreachable', `${current.href} did not answer with JSON`);
      }
    }
    const next = URL.canParse(answer.location, current) ? new URL(answer.location, current) : null;
    if (!next) throw new IssuerFetchError('unreachable', `${current.href} redirects to an invalid URL`);
    if (next.origin !== url.origin) throw new IssuerFetchError('unreachable', `${current.href} redirects to another origin (${next.origin})`);
    current = next;
  }
  throw new IssuerFetchError('unreachable', `${url.href} redirects more than ${MAX_REDIRECTS} times`);
}

type Answer = { kind: 'body'; text: string } | { kind: 'redirect'; location: string };

function getOnce(url: URL, policy: IssuerFetchPolicy): Promise<Answer> {
  assertIssuerUrlAllowed(url, policy);
  const addresses = { ...policy.addresses, allowPrivate: policy.allowInsecure };
  try {
    // Names are checked by the guarded lookup at connection time; IP literals never go through a lookup.
    if (isIP(hostOf(url))) assertAddressAllowed(hostOf(url), portOf(url), addresses);
  } catch (error) {
    throw refusal(error);
  }
  return new Promise<Answer>((resolve, reject) => {
    const fail = (error: unknown) => reject(refusal(error));
    const request = (url.protocol === 'https:' ? https : http).get(url, {
      agent: false,
      headers: { accept: 'application/json', 'user-agent': 'Trove-OIDC/1' },
      lookup: guardedLookup(portOf(url), addresses) as never,
    });
    // One deadline for the whole exchange, so an issuer that answers a byte at a time cannot hold the exchange open.
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${policy.timeoutMs} ms`)), policy.timeoutMs);
    request.on('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location) {
        clearTimeout(timer);
        response.resume();
        return resolve({ kind: 'redirect', location: response.headers.location });
      }
      if (status !== 200) {
        clearTimeout(timer);
        response.resume();
        return fail(new Error(`${url.href} answered HTTP ${status}`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_DOCUMENT_BYTES) request.destroy(new Error(`${url.href} answered more than ${MAX_DOCUMENT_BYTES} bytes`));
        else chunks.push(chunk);
      });
      response.on('error', (error) => {
        clearTimeout(timer);
        fail(error);
      });
      response.on('end', () => {
        clearTimeout(timer);
        resolve({ kind: 'body', text: Buffer.concat(chunks).toString('utf8') });
      });
    });
  });
}

function refusal(error: unknown): IssuerFetchError {
  if (error instanceof IssuerFetchError) return error;
  if (error instanceof DestinationAddressError) {
    // Its own hint names the streaming setting; issuers have theirs.
    const why = error.message.split(' (')[0];
    return new IssuerFetchError('address_refused', `${why} (loopback and private issuers need TROVE_OIDC_ALLOW_INSECURE_ISSUERS=1)`);
  }
  return new IssuerFetchError('unreachable', error instanceof Error ? error.message : String(error));
}
