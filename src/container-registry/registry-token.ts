import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { RegistryAccess } from './registry-auth.js';

// The registry token /jwt/auth issues and /v2/ accepts: a JWT (RFC 7519) signed with HS256. Only
// Trove itself verifies these tokens (realm and registry share one port and one database), so a
// shared secret is enough and needs no certificate chain; every Trove process on the database reads
// the same secret (registry-token-key.ts). The token names the credential it was issued for, and
// /v2/ looks that credential up again on every request: a revoked token or a blocked user stops
// working at once, whatever the token's own expiry says.

/** The credential a registry token was issued for: looked up again when the token is used. */
export interface RegistryCredentialRef {
  /** As the audit log names credential types; `anonymous` for a token issued without credentials. */
  type: 'PersonalAccessToken' | 'DeployToken' | 'CiJobToken' | 'OidcToken' | 'anonymous';
  id: number | null;
}

export interface RegistryTokenClaims {
  iss: string;
  aud: string;
  sub?: string;
  exp: number;
  nbf: number;
  iat: number;
  jti: string;
  access: RegistryAccess[];
  /** Trove's own claim: which credential the token stands for. */
  credential: RegistryCredentialRef;
}

export interface IssuedRegistryToken {
  token: string;
  claims: RegistryTokenClaims;
}

const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function signature(key: Buffer, signingInput: string): Buffer {
  return createHmac('sha256', key).update(signingInput).digest();
}

export function issueRegistryToken(
  key: Buffer,
  request: { issuer: string; service: string; subject: string | null; credential: RegistryCredentialRef; access: RegistryAccess[]; lifetimeSeconds: number },
  nowMs = Date.now(),
): IssuedRegistryToken {
  const iat = Math.floor(nowMs / 1000);
  const claims: RegistryTokenClaims = {
    iss: request.issuer,
    aud: request.service,
    ...(request.subject === null ? {} : { sub: request.subject }),
    exp: iat + request.lifetimeSeconds,
    // distribution's clock-skew allowance: a token is good from a few seconds before it was made.
    nbf: iat - 5,
    iat,
    jti: randomUUID(),
    access: request.access,
    credential: request.credential,
  };
  const signingInput = `${HEADER}.${base64url(JSON.stringify(claims))}`;
  return { token: `${signingInput}.${signature(key, signingInput).toString('base64url')}`, claims };
}

const JWT_FORM = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Whether a Bearer value has the form of a JWT (Trove's own tokens never do: they have no dots). */
export function looksLikeJwt(value: string): boolean {
  return value.length <= 8192 && JWT_FORM.test(value);
}

export type RegistryTokenCheck = { ok: true; claims: RegistryTokenClaims } | { ok: false; reason: string };

/** Checks signature, audience and time window; what the token grants is the caller's business. */
export function verifyRegistryToken(key: Buffer, token: string, expected: { issuer: string; service: string }, nowMs = Date.now()): RegistryTokenCheck {
  if (!looksLikeJwt(token)) return { ok: false, reason: 'registry token malformed' };
  const [header, payload, sig] = token.split('.');
  const presented = Buffer.from(sig, 'base64url');
  const wanted = signature(key, `${header}.${payload}`);
  // The header is compared as signed bytes: a token whose header is not ours (alg "none", RS256) fails here.
  if (header !== HEADER || presented.length !== wanted.length || !timingSafeEqual(presented, wanted)) {
    return { ok: false, reason: 'registry token signature invalid' };
  }
  let claims: RegistryTokenClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as RegistryTokenClaims;
  } catch {
    return { ok: false, reason: 'registry token malformed' };
  }
  if (claims.iss !== expected.issuer || claims.aud !== expected.service) return { ok: false, reason: 'registry token not for this registry' };
  const now = Math.floor(nowMs / 1000);
  if (typeof claims.exp !== 'number' || now >= claims.exp) return { ok: false, reason: 'registry token expired' };
  if (typeof claims.nbf !== 'number' || now < claims.nbf) return { ok: false, reason: 'registry token not yet valid' };
  if (!Array.isArray(claims.access) || typeof claims.credential !== 'object' || claims.credential === null) {
    return { ok: false, reason: 'registry token malformed' };
  }
  return { ok: true, claims };
}
