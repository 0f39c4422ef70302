import { isIPv6 } from 'node:net';

// An IPv6 address can carry an IPv4 address that the network stack connects to as IPv4:
// IPv4-mapped (::ffff:a.b.c.d, which URL parsing writes as ::ffff:7f00:1) and the deprecated
// IPv4-compatible form (::a.b.c.d, ::7f00:1). The SSRF guard judges those as the IPv4 they carry.

/** The eight 16-bit groups of an IPv6 address (zone id dropped), or null when it is not one. */
function groupsOf(address: string): number[] | null {
  const bare = address.replace(/%.*$/, '');
  if (!isIPv6(bare)) return null;
  let text = bare.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const parse = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const front = parse(head);
  const back = parse(tail);
  const zeros = tail === undefined ? [] : new Array<number>(8 - front.length - back.length).fill(0);
  return [...front, ...zeros, ...back];
}

/** The IPv4 address an IPv4-mapped or IPv4-compatible IPv6 address carries, else null. */
export function embeddedIPv4(address: string): string | null {
  const groups = groupsOf(address);
  if (!groups || groups.length !== 8 || groups.slice(0, 5).some((g) => g !== 0)) return null;
  const [, , , , , marker, high, low] = groups;
  if (marker !== 0xffff && marker !== 0) return null;
  // ::, ::1 are IPv6's own unspecified and loopback addresses, not IPv4-compatible ones.
  if (marker === 0 && high === 0 && low <= 1) return null;
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}
