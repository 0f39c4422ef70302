import type { createLocalJWKSet, JSONWebKeySet } from 'jose';
import { lazyModule } from '../../lazy-module.js';
import { assertIssuerUrlAllowed, fetchIssuerJson, IssuerFetchError, type IssuerFetchPolicy } from './issuer-fetch.js';

// The signing keys of trusted OIDC issuers, per process: discovery document -> jwks_uri -> JWKS,
// kept 10 minutes. A token signed with a key we do not know makes us fetch the JWKS again (key
// rotation at the issuer), but at most once per 30 s per issuer, so a flood of tokens with made-up
// `kid`s cannot make Trove hammer the issuer. An issuer that fails to answer is asked again after
// 30 s at the earliest; meanwhile the keys it last published serve for up to an hour, so a short
// outage of its key endpoint does not stop every publish.

export const KEYS_TTL_MS = 10 * 60_000;
export const REFETCH_AFTER_UNKNOWN_KID_MS = 30_000;
export const RETRY_AFTER_FAILURE_MS = 30_000;
export const STALE_KEYS_MAX_MS = 60 * 60_000;

export type KeySet = ReturnType<typeof createLocalJWKSet>;

/** jose, loaded when a trusted publisher's token is first checked. */
export const joseLibrary = lazyModule(() => import('jose'));

interface CachedKeys {
  jwksUri: URL;
  keySet: KeySet;
  /** now() when the JWKS was fetched; when discovery was, for the TTL. */
  fetchedAt: number;
  discoveredAt: number;
}

export class IssuerKeys {
  private readonly cache = new Map<string, CachedKeys>();
  /** One fetch at a time per issuer: concurrent exchanges share it. */
  private readonly inFlight = new Map<string, Promise<CachedKeys>>();
  /** The last failed fetch per issuer, until one succeeds. */
  private readonly failures = new Map<string, { at: number; error: IssuerFetchError }>();

  constructor(
    private readonly policy: IssuerFetchPolicy,
    private readonly now: () => Date,
  ) {}

  /** The issuer's current key set (fetched when not cached or older than 10 minutes). Throws IssuerFetchError. */
  async keySet(issuer: string): Promise<KeySet> {
    const cached = this.cache.get(issuer);
    const now = this.now().getTime();
    if (cached && now - cached.discoveredAt < KEYS_TTL_MS) return cached.keySet;
    const stale = cached && now - cached.discoveredAt < STALE_KEYS_MAX_MS ? cached.keySet : null;
    const failure = this.recentFailure(issuer);
    if (failure) {
      if (stale) return stale;
      throw failure;
    }
    try {
      return (await this.load(issuer, () => this.discover(issuer))).keySet;
    } catch (error) {
      if (stale && error instanceof IssuerFetchError) return stale;
      throw error;
    }
  }

  /**
   * After a token named a key the cached set lacks: fetches the JWKS again unless that (or a failed
   * attempt) was in the last 30 s. Returns the new key set, or null when throttled.
   */
  async refreshedKeySet(issuer: string): Promise<KeySet | null> {
    const cached = this.cache.get(issuer);
    if (!cached) return this.keySet(issuer);
    if (this.now().getTime() - cached.fetchedAt < REFETCH_AFTER_UNKNOWN_KID_MS || this.recentFailure(issuer)) return null;
    const refreshed = await this.load(issuer, async () => ({ ...cached, ...(await this.fetchKeys(cached.jwksUri)) }));
    return refreshed.keySet;
  }

  private recentFailure(issuer: string): IssuerFetchError | null {
    const failure = this.failures.get(issuer);
    return failure && this.now().getTime() - failure.at < RETRY_AFTER_FAILURE_MS ? failure.error : null;
  }

  private load(issuer: string, fetcher: () => Promise<CachedKeys>): Promise<CachedKeys> {
    const pending = this.inFlight.get(issuer);
    if (pending) return pending;
    const loading = fetcher()
      .then(
        (keys) => {
          this.cache.set(issuer, keys);
          this.failures.delete(issuer);
          return keys;
        },
        (error: unknown) => {
          if (error instanceof IssuerFetchError) this.failures.set(issuer, { at: this.now().getTime(), error });
          throw error;
        },
      )
      .finally(() => this.inFlight.delete(issuer));
    this.inFlight.set(issuer, loading);
    return loading;
  }

  private async discover(issuer: string): Promise<CachedKeys> {
    const issuerUrl = new URL(issuer);
    assertIssuerUrlAllowed(issuerUrl, this.policy);
    // OpenID Connect Discovery 1.0 §4: the path is appended to the issuer, which may have a path of its own.
    const document = await fetchIssuerJson(new URL(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`), this.policy);
    const { issuer: named, jwks_uri: jwksUri } = (document ?? {}) as { issuer?: unknown; jwks_uri?: unknown };
    // §4.3: the document must be the issuer's own, or its keys would vouch for another issuer's tokens.
    if (named !== issuer) throw new IssuerFetchError('unreachable', `the discovery document of ${issuer} names issuer ${JSON.stringify(named)}`);
    if (typeof jwksUri !== 'string' || !URL.canParse(jwksUri)) throw new IssuerFetchError('unreachable', `the discovery document of ${issuer} has no valid jwks_uri`);
    const keysUrl = new URL(jwksUri);
    assertIssuerUrlAllowed(keysUrl, this.policy);
    const discoveredAt = this.now().getTime();
    return { jwksUri: keysUrl, discoveredAt, ...(await this.fetchKeys(keysUrl)) };
  }

  private async fetchKeys(jwksUri: URL): Promise<{ keySet: KeySet; fetchedAt: number }> {
    const jwks = await fetchIssuerJson(jwksUri, this.policy);
    const { createLocalJWKSet } = await joseLibrary();
    try {
      return { keySet: createLocalJWKSet(jwks as JSONWebKeySet), fetchedAt: this.now().getTime() };
    } catch {
      throw new IssuerFetchError('unreachable', `${jwksUri.href} is not a JSON Web Key Set`);
    }
  }
}
