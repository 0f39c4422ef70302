import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { embeddedIPv4 } from './embedded-ipv4.js';

// SSRF guard for streaming destinations (docs/api.md#audit-event-streaming): a destination URL must not reach Trove itself
// nor, unless the administrator allows it (TROVE_STREAMING_ALLOW_PRIVATE=1), loopback and private
// networks; link-local (cloud metadata at 169.254.169.254) and other special ranges never. Checked
// when a destination is saved and again for every connection (DNS may answer differently later).

const NEVER = new BlockList();
NEVER.addSubnet('0.0.0.0', 8, 'ipv4');
NEVER.addSubnet('169.254.0.0', 16, 'ipv4');
NEVER.addSubnet('100.64.0.0', 10, 'ipv4');
NEVER.addSubnet('224.0.0.0', 3, 'ipv4'); // multicast and reserved, up to 255.255.255.255
NEVER.addAddress('::', 'ipv6');
NEVER.addSubnet('fe80::', 10, 'ipv6');
NEVER.addSubnet('ff00::', 8, 'ipv6');

const PRIVATE = new BlockList();
PRIVATE.addSubnet('127.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');
PRIVATE.addAddress('::1', 'ipv6');
PRIVATE.addSubnet('fc00::', 7, 'ipv6');

export interface AddressPolicy {
  allowPrivate: boolean;
  /** Where Trove itself listens: a destination on this port of one of these addresses is refused. */
  selfHost: string;
  selfPort: number;
  /** Trove's public URL (TROVE_BASE_URL), which may be a proxy in front of it. */
  selfBaseUrl: string;
}

export function addressPolicyOf(config: { streaming: { allowPrivate: boolean }; host: string; port: number; baseUrl: string }): AddressPolicy {
  return { allowPrivate: config.streaming.allowPrivate, selfHost: config.host, selfPort: config.port, selfBaseUrl: config.baseUrl };
}

export class DestinationAddressError extends Error {}

/** ::ffff:10.0.0.1, ::ffff:a00:1 and ::a00:1 are 10.0.0.1: judge embedded IPv4 addresses as IPv4. */
export function normalise(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const ipv4 = embeddedIPv4(address);
  if (ipv4) return { address: ipv4, family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

function isSelf(address: string, port: number, policy: AddressPolicy): boolean {
  if (port !== policy.selfPort) return false;
  const self = normalise(policy.selfHost).address;
  // Listening on every interface: any local address on that port is Trove.
  if (self === '0.0.0.0' || self === '::') return PRIVATE.check(address, normalise(address).family) || address === 'localhost';
  return address === self || (self === 'localhost' && PRIVATE.check(address, normalise(address).family));
}

/** Throws DestinationAddressError when `address` (an IP) on `port` may not receive deliveries. */
export function assertAddressAllowed(rawAddress: string, port: number, policy: AddressPolicy): void {
  const { address, family } = normalise(rawAddress);
  if (isSelf(address, port, policy)) throw new DestinationAddressError('the destination is this Trove server itself');
  if (NEVER.check(address, family)) throw new DestinationAddressError(`the destination address ${address} is not routable or is link-local`);
  if (!policy.allowPrivate && PRIVATE.check(address, family)) {
    throw new DestinationAddressError(`the destination address ${address} is loopback or private (an administrator can allow it with TROVE_STREAMING_ALLOW_PRIVATE=1)`);
  }
}

export function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/** The URL's host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** Resolves the URL's host and checks every address it resolves to (at save time). */
export async function assertUrlAllowed(url: URL, policy: AddressPolicy): Promise<void> {
  const host = hostOf(url);
  const port = portOf(url);
  const self = new URL(policy.selfBaseUrl);
  if (self.hostname === url.hostname && portOf(self) === port) throw new DestinationAddressError('the destination is this Trove server itself');
  if (isIP(host)) return assertAddressAllowed(host, port, policy);
  const addresses = await new Promise<LookupAddress[]>((resolve, reject) =>
    dnsLookup(host, { all: true }, (error, found) => (error ? reject(new DestinationAddressError(`the destination host ${host} does not resolve`)) : resolve(found))),
  );
  for (const { address } of addresses) assertAddressAllowed(address, port, policy);
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request that refuses forbidden addresses at connection time, so a name
 * that resolved to a public address when saved cannot be pointed at an internal one later.
 */
export function guardedLookup(port: number, policy: AddressPolicy) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      try {
        for (const { address } of addresses) assertAddressAllowed(address, port, policy);
      } catch (refusal) {
        return callback(refusal as NodeJS.ErrnoException, []);
      }
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}
