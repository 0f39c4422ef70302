import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

// Token secrets: shown once, stored only as SHA-256. Prefixes follow GitLab's so that
// secret scanners recognise leaked Trove tokens; GitLab has no OIDC-minted token, so that one is Trove's own.
export const TOKEN_PREFIX = {
  personal: 'glpat-',
  deploy: 'gldt-',
  job: 'glcbt-',
  oidc: 'trove_oidc_',
} as const;

export function generateTokenSecret(prefix: string): string {
  return prefix + randomBytes(24).toString('base64url');
}

export function tokenDigest(secret: string): string {
  // One-shot hash: every authenticated request digests its token (a Hash object cost several times more).
  return hash('sha256', secret, 'hex');
}

/** Constant-time comparison of two hex digests (the lookup by digest is not the last word). */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
