import { ociError } from './oci-errors.js';

// Content is addressed by `sha256:<64 hex>` (the only algorithm Trove stores: its blob store is
// keyed by sha256). Tags follow the OCI grammar.

const SHA256_DIGEST = /^sha256:([a-f0-9]{64})$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

export function isDigest(reference: string): boolean {
  return DIGEST.test(reference);
}

/** The blob-store key (hex) of a digest; DIGEST_INVALID for anything but a well-formed sha256 digest. */
export function sha256Of(digest: string): string {
  const match = SHA256_DIGEST.exec(digest);
  if (!match) throw ociError('DIGEST_INVALID', `unsupported or malformed digest: ${digest.slice(0, 160)}`);
  return match[1]!;
}

export function digestOf(sha256: string): string {
  return `sha256:${sha256}`;
}

export function assertTag(tag: string): string {
  if (!TAG.test(tag)) throw ociError('MANIFEST_INVALID', `invalid tag: ${tag.slice(0, 160)}`);
  return tag;
}
