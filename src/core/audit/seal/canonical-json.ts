// RFC 8785 (JSON Canonicalization Scheme) and the leaf hash of an audit record (SPEC §4.8).
// The package `canonicalize` is the JCS reference implementation for JavaScript: it sorts
// properties by UTF-16 code units and serializes numbers and strings exactly as ECMAScript's
// JSON.stringify does, which is what RFC 8785 §3.2.2 prescribes. We only wrap it so that a value
// with no JSON form fails loudly instead of hashing the string "undefined".
import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError(`${typeof value} has no JSON representation`);
  return text;
}

// leaf_hash = SHA-256(0x00 || UTF-8(canonical JSON)) as lowercase hex: the RFC 6962 leaf hash of
// the record's canonical bytes, so the same value is both the stored column and the Merkle leaf.
export function leafHashOf(record: unknown): string {
  return createHash('sha256').update(Uint8Array.of(0x00)).update(canonicalJson(record), 'utf8').digest('hex');
}
