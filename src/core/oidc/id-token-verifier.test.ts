import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { base64url, SignJWT } from 'jose';
import { startOidcIssuer, type OidcIssuer } from '../../../test/support/oidc-issuer.js';
import { ConfigError, loadConfig } from '../../config/config.js';
import type { AddressPolicy } from '../audit/streaming/destination-address.js';
import { IdTokenVerifier, OidcRefusal, type OidcRefusalReason, type VerifiedIdToken } from './id-token-verifier.js';

// ID token verification over real HTTP against a test issuer on 127.0.0.1. Time is the verifier's
// `now` option, moved by hand: nothing here waits on the real clock.

const policy: AddressPolicy = { allowPrivate: false, selfHost: '127.0.0.1', selfPort: 1, selfBaseUrl: 'http://127.0.0.1:1' };
const AUDIENCE = 'https://trove.example.com';
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('IdTokenVerifier', () => {
  let issuer: OidcIssuer;
  let other: OidcIssuer;
  let offsetMs = 0;
  let verifier: IdTokenVerifier;
  const now = () => new Date(Date.now() + offsetMs);
  const trusting = (...issuers: string[]) => ({
    isTrustedIssuer: async (iss: string) => issuers.includes(iss),
    audiences: async () => [AUDIENCE, 'https://other.example.com'],
  });
  const verify = (token: string, opts = trusting(issuer.url)) => verifier.verify(token, opts);
  const refusal = async (promise: Promise<VerifiedIdToken>, reason: OidcRefusalReason) => {
    await assert.rejects(promise, (error: unknown) => {
      assert.ok(error instanceof OidcRefusal, String(error));
      assert.equal(error.reason, reason, error.message);
      return true;
    });
  };

  before(async () => {
    issuer = await startOidcIssuer({ audience: AUDIENCE });
    other = await startOidcIssuer({ audience: AUDIENCE, discoveryIssuer: () => 'https://gitlab.example.com' });
    verifier = new IdTokenVerifier({ addressPolicy: policy, allowInsecureIssuers: true, now });
  });

  after(async () => {
    await issuer?.close();
    await other?.close();
  });

  it('accepts GitLab-shaped RS256 and GitHub-shaped ES256 tokens, fetching the keys once', async () => {
    const gitlab = await verify(await issuer.mint(issuer.gitlabClaims({ project_path: 'acme/tools/app' })));
    assert.equal(gitlab.issuer, issuer.url);
    assert.equal(gitlab.subject, 'project_path:acme/tools/app:ref_type:branch:ref:main');
    assert.deepEqual(gitlab.audiences, [AUDIENCE]);
    assert.match(gitlab.jti ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(gitlab.claims.namespace_path, 'acme/tools');
    assert.ok(gitlab.expiresAt.getTime() - gitlab.issuedAt.getTime() === 300_000);
    const fetched = issuer.requests.length;
    assert.deepEqual(issuer.requests, ['/.well-known/openid-configuration', '/oauth/discovery/keys']);

    const github = await verify(await issuer.mint(issuer.githubClaims({ environment: 'production' }), { alg: 'ES256', audience: ['sts.example', AUDIENCE] }));
    assert.equal(github.subject, 'repo:acme/app:environment:production');
    assert.deepEqual(github.audiences, ['sts.example', AUDIENCE]);
    assert.equal(github.claims.workflow_ref, 'acme/app/.github/workflows/release.yml@refs/heads/main');
    assert.equal(issuer.requests.length, fetched, 'the cached keys served the second token');
  });

  it('refuses a token for another audience', async () => {
    await refusal(verify(await issuer.mint(issuer.gitlabClaims(), { audience: 'https://elsewhere.example.com' })), 'wrong_audience');
  });

  it('checks exp, nbf and iat with 60 s of leeway', async () => {
    const t = nowSeconds();
    await refusal(verify(await issuer.mint(issuer.gitlabClaims(), { iat: t - 1000, expiresIn: 900 })), 'expired');
    await verify(await issuer.mint(issuer.gitlabClaims(), { iat: t - 1000, expiresIn: 950 }));
    await refusal(verify(await issuer.mint(issuer.gitlabClaims(), { notBefore: t + 120 })), 'not_yet_valid');
    await verify(await issuer.mint(issuer.gitlabClaims(), { notBefore: t + 30 }));
    await refusal(verify(await issuer.mint(issuer.gitlabClaims(), { iat: t + 120 })), 'issued_in_future');
    await verify(await issuer.mint(issuer.gitlabClaims(), { iat: t + 30 }));
  });

  it('refuses a token without sub or exp, an oversized one and an issuer URL with a query as malformed', async () => {
    await refusal(verify(await issuer.mint({ ...issuer.gitlabClaims(), sub: undefined })), 'malformed');
    await refusal(verify(await issuer.mint({ ...issuer.gitlabClaims(), exp: undefined })), 'malformed');
    await refusal(verifier.verify('not.a.token', trusting(issuer.url)), 'malformed');
    await refusal(verifier.verify('x'.repeat(20_000), trusting(issuer.url)), 'malformed');
    await refusal(verify(await issuer.mint({ ...issuer.gitlabClaims(), iss: `${issuer.url}?x=1` })), 'malformed');
  });

  it('refuses a token whose payload was altered after signing', async () => {
    const [header, , signature] = (await issuer.mint(issuer.gitlabClaims())).split('.');
    const forged = base64url.encode(JSON.stringify({ ...issuer.gitlabClaims({ project_path: 'victim/app' }), iss: issuer.url, aud: AUDIENCE, iat: nowSeconds(), exp: nowSeconds() + 300 }));
    await refusal(verify(`${header}.${forged}.${signature}`), 'bad_signature');
  });

  it('refuses alg none and HS256 without fetching anything', async () => {
    const before = issuer.requests.length;
    const claims = { ...issuer.gitlabClaims(), iss: issuer.url, aud: AUDIENCE, iat: nowSeconds(), exp: nowSeconds() + 300 };
    const unsigned = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url.encode(JSON.stringify(claims))}.`;
    await refusal(verify(unsigned), 'unsupported_algorithm');
    const hmac = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('a shared secret of thirty-two bytes!'));
    await refusal(verify(hmac), 'unsupported_algorithm');
    assert.equal(issuer.requests.length, before);
  });

  it('fetches nothing for an issuer no trusted publisher names', async () => {
    const fresh = await startOidcIssuer({ audience: AUDIENCE });
    try {
      const error = await verify(await fresh.mint(fresh.gitlabClaims()), trusting(issuer.url)).catch((e: unknown) => e);
      assert.ok(error instanceof OidcRefusal && error.reason === 'issuer_not_trusted');
      assert.equal(error.issuer, fresh.url);
      assert.equal(error.subject, 'project_path:acme/app:ref_type:branch:ref:main');
      assert.deepEqual(fresh.requests, []);
    } finally {
      await fresh.close();
    }
  });

  it('on an unknown kid fetches the JWKS again at most once per 30 s, then refuses', async () => {
    await verify(await issuer.mint(issuer.gitlabClaims()));
    const before = issuer.requests.length;
    await refusal(verify(await issuer.mint(issuer.gitlabClaims(), { kid: 'made-up-1' })), 'unknown_key');
    assert.equal(issuer.requests.length, before, 'fetched less than 30 s ago: not again');
    offsetMs += 31_000;
    await refusal(verify(await issuer.mint(issuer.gitlabClaims(), { kid: 'made-up-2' })), 'unknown_key');
    assert.deepEqual(issuer.requests.slice(before), ['/oauth/discovery/keys']);
    for (const kid of ['made-up-3', 'made-up-4', 'made-up-5']) {
      await refusal(verify(await issuer.mint(issuer.gitlabClaims(), { kid })), 'unknown_key');
    }
    assert.equal(issuer.requests.length, before + 1, 'a flood of unknown kids fetches once');
  });

  it('picks up keys the issuer rotated', async () => {
    await verify(await issuer.mint(issuer.gitlabClaims()));
    await issuer.rotateKeys();
    offsetMs += 31_000;
    const rotated = await verify(await issuer.mint(issuer.gitlabClaims({ ref: 'v2' }), { alg: 'ES256' }));
    assert.equal(rotated.claims.ref, 'v2');
    // After the TTL the discovery document is fetched again too.
    offsetMs += 11 * 60_000;
    const before = issuer.requests.length;
    await verify(await issuer.mint(issuer.gitlabClaims(), { iat: Math.floor(now().getTime() / 1000) }));
    assert.deepEqual(issuer.requests.slice(before), ['/.well-known/openid-configuration', '/oauth/discovery/keys']);
  });

  it('rides out an issuer outage on the keys it last published, for up to an hour, asking again every 30 s', async () => {
    const shiftedIat = () => ({ iat: Math.floor(now().getTime() / 1000) });
    await verify(await issuer.mint(issuer.gitlabClaims(), shiftedIat()));
    issuer.setAvailable(false);
    try {
      offsetMs += 11 * 60_000;
      const before = issuer.requests.length;
      await verify(await issuer.mint(issuer.gitlabClaims(), shiftedIat()));
      await verify(await issuer.mint(issuer.gitlabClaims(), shiftedIat()));
      assert.equal(issuer.requests.length, before + 1, 'asked once, then not again within 30 s');
      offsetMs += 31_000;
      await verify(await issuer.mint(issuer.gitlabClaims(), shiftedIat()));
      assert.equal(issuer.requests.length, before + 2);
      offsetMs += 60 * 60_000;
      await refusal(verify(await issuer.mint(issuer.gitlabClaims(), shiftedIat())), 'issuer_unreachable');
      await refusal(verify(await issuer.mint(issuer.gitlabClaims(), shiftedIat())), 'issuer_unreachable');
      assert.equal(issuer.requests.length, before + 3, 'a failing issuer is not asked again within 30 s');
    } finally {
      issuer.setAvailable(true);
    }
    offsetMs += 31_000;
    await verify(await issuer.mint(issuer.gitlabClaims(), shiftedIat()));
  });

  it('refuses an issuer whose discovery document names another issuer', async () => {
    await refusal(verify(await other.mint(other.gitlabClaims()), trusting(other.url)), 'issuer_unreachable');
  });

  it('refuses an issuer on loopback unless insecure issuers are allowed, before connecting', async () => {
    const strict = new IdTokenVerifier({ addressPolicy: { ...policy, allowPrivate: true }, allowInsecureIssuers: false, now });
    const fresh = await startOidcIssuer({ audience: AUDIENCE });
    try {
      const port = new URL(fresh.url).port;
      for (const iss of [fresh.url, `https://127.0.0.1:${port}`, `https://localhost:${port}`]) {
        const token = await fresh.mint({ ...fresh.gitlabClaims(), iss });
        await refusal(strict.verify(token, trusting(iss)), 'issuer_address_refused');
      }
      assert.deepEqual(fresh.requests, []);
    } finally {
      await fresh.close();
    }
  });

  it('reports an issuer that does not answer as unreachable', async () => {
    const gone = await startOidcIssuer({ audience: AUDIENCE });
    const token = await gone.mint(gone.gitlabClaims());
    await gone.close();
    await refusal(verify(token, trusting(gone.url)), 'issuer_unreachable');
  });

  it('takes TROVE_OIDC_ALLOW_INSECURE_ISSUERS as 0 or 1 only', () => {
    assert.equal(loadConfig({}).oidc.allowInsecureIssuers, false);
    assert.equal(loadConfig({ TROVE_OIDC_ALLOW_INSECURE_ISSUERS: '1' }).oidc.allowInsecureIssuers, true);
    assert.throws(() => loadConfig({ TROVE_OIDC_ALLOW_INSECURE_ISSUERS: 'yes' }), ConfigError);
  });
});
