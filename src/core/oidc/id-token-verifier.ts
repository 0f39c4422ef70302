import type { JWTPayload } from 'jose';
import type { AddressPolicy } from '../audit/streaming/destination-address.js';
import { IssuerFetchError } from './issuer-fetch.js';
import { IssuerKeys, joseLibrary, type KeySet } from './issuer-keys.js';
import { checkClaims } from './id-token-claims.js';
import { OidcRefusal } from './oidc-refusal.js';

// Verification of the OIDC ID tokens CI jobs exchange for a publish token (docs/architecture.md#bad-input-and-limits). The token
// itself is a bearer credential: it is never logged nor stored, only its issuer, subject and jti.

export { OidcRefusal, type OidcRefusalReason } from './oidc-refusal.js';
export { consumeJti } from './used-jtis.js';

export interface VerifiedIdToken {
  issuer: string;
  subject: string;
  audiences: string[];
  /** null when the issuer sent none: such a token cannot be recognised when replayed. */
  jti: string | null;
  issuedAt: Date;
  expiresAt: Date;
  claims: Record<string, unknown>;
}

/** The asymmetric algorithms CI issuers sign with (GitLab: RS256; GitHub: RS256); never `none` nor HMAC. */
export const ACCEPTED_ALGORITHMS = ['RS256', 'ES256'];
const DEFAULT_FETCH_TIMEOUT_MS = 5000;
/** CI ID tokens are 1-2 KB; a much longer "token" is not worth decoding. */
const MAX_TOKEN_LENGTH = 16 * 1024;

export interface VerifyOptions {
  /** Consulted before anything is fetched: keys are only ever fetched for an issuer a trusted publisher names. */
  isTrustedIssuer: (issuer: string) => Promise<boolean>;
  audiences: (issuer: string) => Promise<string[]>;
}

export class IdTokenVerifier {
  private readonly keys: IssuerKeys;
  private readonly now: () => Date;

  /**
   * `addressPolicy` is the SSRF policy of streaming destinations (addressPolicyOf(config)); its
   * `allowPrivate` is replaced by `allowInsecureIssuers` (TROVE_OIDC_ALLOW_INSECURE_ISSUERS), which
   * also admits http:// issuers on loopback. One verifier per process keeps the key cache.
   */
  constructor(options: { addressPolicy: AddressPolicy; allowInsecureIssuers: boolean; now?: () => Date; fetchTimeoutMs?: number }) {
    this.now = options.now ?? (() => new Date());
    const policy = {
      addresses: { ...options.addressPolicy, allowPrivate: options.allowInsecureIssuers },
      allowInsecure: options.allowInsecureIssuers,
      timeoutMs: options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS,
    };
    this.keys = new IssuerKeys(policy, this.now);
  }

  /** Throws OidcRefusal; see VerifyOptions for what is fetched when. */
  async verify(idToken: string, opts: VerifyOptions): Promise<VerifiedIdToken> {
    const { algorithm, payload } = await decode(idToken);
    const issuer = payload.iss as string;
    const subject = typeof payload.sub === 'string' ? payload.sub : null;
    const refuse = (reason: OidcRefusal['reason'], message: string) => new OidcRefusal(reason, message, issuer, subject);
    if (!ACCEPTED_ALGORITHMS.includes(algorithm)) throw refuse('unsupported_algorithm', `ID tokens signed with ${JSON.stringify(algorithm.slice(0, 20))} are not accepted (only ${ACCEPTED_ALGORITHMS.join(', ')})`);
    if (!(await opts.isTrustedIssuer(issuer))) throw refuse('issuer_not_trusted', `no trusted publisher names the issuer ${issuer}`);
    await this.verifySignature(idToken, issuer, refuse);
    return checkClaims(payload, { now: this.now(), audiences: await opts.audiences(issuer) });
  }

  private async verifySignature(idToken: string, issuer: string, refuse: (reason: OidcRefusal['reason'], message: string) => OidcRefusal): Promise<void> {
    try {
      let keySet = await this.keys.keySet(issuer);
      for (;;) {
        const outcome = await verifyWith(idToken, keySet);
        if (outcome === 'verified') return;
        if (outcome === 'bad_signature') throw refuse('bad_signature', 'the ID token signature does not verify');
        // A key we do not have: the issuer may have rotated its keys since we fetched them.
        const refreshed = await this.keys.refreshedKeySet(issuer);
        if (!refreshed) throw refuse('unknown_key', `the ID token is signed with a key ${issuer} does not publish`);
        keySet = refreshed;
      }
    } catch (error) {
      if (error instanceof IssuerFetchError) {
        throw refuse(error.kind === 'address_refused' ? 'issuer_address_refused' : 'issuer_unreachable', `cannot fetch the keys of ${issuer}: ${error.message}`);
      }
      throw error;
    }
  }
}

async function decode(idToken: string): Promise<{ algorithm: string; payload: JWTPayload }> {
  let header: { alg?: unknown };
  let payload: JWTPayload;
  if (idToken.length > MAX_TOKEN_LENGTH) throw new OidcRefusal('malformed', `the ID token is longer than ${MAX_TOKEN_LENGTH} characters`);
  const { decodeJwt, decodeProtectedHeader } = await joseLibrary();
  try {
    header = decodeProtectedHeader(idToken);
    payload = decodeJwt(idToken);
  } catch {
    throw new OidcRefusal('malformed', 'the ID token is not a signed JWT');
  }
  if (!isIssuerUrl(payload.iss)) throw new OidcRefusal('malformed', 'the ID token has no issuer URL (iss)');
  return { algorithm: typeof header.alg === 'string' ? header.alg : 'none', payload };
}

/** OpenID Connect Core §2: an https URL without query or fragment (http is judged later, by the fetch policy). */
function isIssuerUrl(iss: unknown): iss is string {
  if (typeof iss !== 'string' || !URL.canParse(iss)) return false;
  const url = new URL(iss);
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.search === '' && url.hash === '' && url.username === '' && url.password === '';
}

/** 'unknown_key': the key set has no key for the token's kid and algorithm (it may be newer than our copy). */
async function verifyWith(idToken: string, keySet: KeySet): Promise<'verified' | 'bad_signature' | 'unknown_key'> {
  const { compactVerify, errors } = await joseLibrary();
  try {
    await compactVerify(idToken, keySet, { algorithms: ACCEPTED_ALGORITHMS });
    return 'verified';
  } catch (error) {
    if (error instanceof errors.JWKSNoMatchingKey) return 'unknown_key';
    // A token without `kid` and several keys of its type: the signature decides which one.
    if (error instanceof errors.JWKSMultipleMatchingKeys) {
      for await (const key of error) {
        if (await compactVerify(idToken, key, { algorithms: ACCEPTED_ALGORITHMS }).then(() => true, () => false)) return 'verified';
      }
      return 'bad_signature';
    }
    // Signature mismatch, or a key the issuer published that cannot verify this algorithm.
    if (error instanceof errors.JOSEError) return 'bad_signature';
    throw error;
  }
}
