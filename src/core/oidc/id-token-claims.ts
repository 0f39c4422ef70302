import type { JWTPayload } from 'jose';
import type { VerifiedIdToken } from './id-token-verifier.js';
import { OidcRefusal } from './oidc-refusal.js';

// The registered claims of a signed ID token (RFC 7519 §4.1, OpenID Connect Core §2), checked
// with a leeway for clocks that disagree a little between the CI issuer and Trove.

export const CLOCK_LEEWAY_SECONDS = 60;
/** A jti is stored (oidc_used_jtis); the issuers Trove knows send a UUID or shorter. */
const MAX_JTI_LENGTH = 255;

export function checkClaims(payload: JWTPayload, context: { now: Date; audiences: string[] }): VerifiedIdToken {
  const issuer = payload.iss as string;
  const subject = typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : null;
  const refuse = (reason: OidcRefusal['reason'], message: string) => new OidcRefusal(reason, message, issuer, subject);
  const now = context.now.getTime() / 1000;
  if (!subject) throw refuse('malformed', 'the ID token has no subject (sub)');
  if (!isNumericDate(payload.exp)) throw refuse('malformed', 'the ID token has no expiry (exp)');
  if (!isNumericDate(payload.iat)) throw refuse('malformed', 'the ID token has no issue time (iat)');
  if (payload.nbf !== undefined && !isNumericDate(payload.nbf)) throw refuse('malformed', 'the ID token has an invalid nbf');
  if (payload.jti !== undefined && (typeof payload.jti !== 'string' || payload.jti === '' || payload.jti.length > MAX_JTI_LENGTH)) {
    throw refuse('malformed', 'the ID token has an invalid jti');
  }
  if (payload.exp <= now - CLOCK_LEEWAY_SECONDS) throw refuse('expired', `the ID token expired at ${isoOf(payload.exp)}`);
  if (payload.nbf !== undefined && payload.nbf > now + CLOCK_LEEWAY_SECONDS) throw refuse('not_yet_valid', `the ID token is not valid before ${isoOf(payload.nbf)}`);
  if (payload.iat > now + CLOCK_LEEWAY_SECONDS) throw refuse('issued_in_future', `the ID token claims to be issued at ${isoOf(payload.iat)}, in the future`);
  const audiences = audiencesOf(payload.aud);
  if (!audiences) throw refuse('malformed', 'the ID token has no audience (aud)');
  if (!audiences.some((audience) => context.audiences.includes(audience))) {
    throw refuse('wrong_audience', `the ID token's audience ${JSON.stringify(audiences)} is not one a trusted publisher of ${issuer} accepts`);
  }
  return {
    issuer,
    subject,
    audiences,
    jti: payload.jti ?? null,
    issuedAt: new Date(payload.iat * 1000),
    expiresAt: new Date(payload.exp * 1000),
    claims: { ...payload },
  };
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isoOf(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/** `aud` is a string or an array of strings (RFC 7519 §4.1.3). */
function audiencesOf(aud: unknown): string[] | null {
  if (typeof aud === 'string' && aud !== '') return [aud];
  if (Array.isArray(aud) && aud.length > 0 && aud.every((item) => typeof item === 'string')) return aud as string[];
  return null;
}
