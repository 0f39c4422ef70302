import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { issueRegistryToken, looksLikeJwt, verifyRegistryToken } from './registry-token.js';

// Registry tokens are JWTs Trove signs and checks itself (HS256): these cases pin what a token
// carries and every way a presented one is refused, at fixed clock readings (no waiting).

const key = randomBytes(32);
const expected = { issuer: 'trove', service: 'container_registry' };
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const issue = (overrides: Partial<Parameters<typeof issueRegistryToken>[1]> = {}, nowMs = T0) =>
  issueRegistryToken(
    key,
    {
      ...expected,
      subject: 'alice',
      credential: { type: 'PersonalAccessToken', id: 7 },
      access: [{ type: 'repository', name: 'acme/web-app/api', actions: ['pull'] }],
      lifetimeSeconds: 300,
      ...overrides,
    },
    nowMs,
  );

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

function resign(header: object, payload: object, signingKey = key): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${input}.${createHmac('sha256', signingKey).update(input).digest('base64url')}`;
}

describe('registry tokens (JWT, HS256)', () => {
  it('carries the Docker token claims and the credential it stands for', () => {
    const { token, claims } = issue();
    const [header] = token.split('.');
    assert.deepEqual(JSON.parse(Buffer.from(header, 'base64url').toString('utf8')), { alg: 'HS256', typ: 'JWT' });
    const payload = payloadOf(token);
    assert.deepEqual(payload, claims);
    assert.equal(payload.iss, 'trove');
    assert.equal(payload.aud, 'container_registry');
    assert.equal(payload.sub, 'alice');
    assert.equal(payload.iat, T0 / 1000);
    assert.equal(payload.exp, T0 / 1000 + 300);
    assert.ok((payload.nbf as number) <= (payload.iat as number));
    assert.match(payload.jti as string, /^[0-9a-f-]{36}$/);
    assert.deepEqual(payload.credential, { type: 'PersonalAccessToken', id: 7 });
    assert.notEqual(issue().claims.jti, claims.jti, 'each token has its own id');
    assert.equal('sub' in issue({ subject: null }).claims, false, 'an anonymous token names no subject');
  });

  it('verifies within its lifetime and not after', () => {
    const { token, claims } = issue({ lifetimeSeconds: 1 });
    assert.deepEqual(verifyRegistryToken(key, token, expected, T0), { ok: true, claims });
    assert.deepEqual(verifyRegistryToken(key, token, expected, T0 + 999), { ok: true, claims });
    assert.deepEqual(verifyRegistryToken(key, token, expected, T0 + 1000), { ok: false, reason: 'registry token expired' });
    assert.deepEqual(verifyRegistryToken(key, token, expected, T0 - 60_000), { ok: false, reason: 'registry token not yet valid' });
  });

  it('refuses another key, a changed payload, alg none, another audience or issuer, and garbage', () => {
    const { token, claims } = issue();
    const otherKey = randomBytes(32);
    assert.equal(verifyRegistryToken(otherKey, token, expected, T0).ok, false);
    const [header, , signature] = token.split('.');
    const widened = Buffer.from(JSON.stringify({ ...claims, access: [{ type: 'repository', name: 'acme/web-app/api', actions: ['*'] }] })).toString('base64url');
    assert.deepEqual(verifyRegistryToken(key, `${header}.${widened}.${signature}`, expected, T0), { ok: false, reason: 'registry token signature invalid' });
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${token.split('.')[1]}.x`;
    assert.equal(verifyRegistryToken(key, none, expected, T0).ok, false);
    assert.deepEqual(verifyRegistryToken(key, resign({ typ: 'JWT', alg: 'HS256' }, claims), expected, T0), { ok: false, reason: 'registry token signature invalid' }, 'only our exact header');
    assert.deepEqual(verifyRegistryToken(key, issue({ service: 'other' }).token, expected, T0), { ok: false, reason: 'registry token not for this registry' });
    assert.deepEqual(verifyRegistryToken(key, issue({ issuer: 'other' }).token, expected, T0), { ok: false, reason: 'registry token not for this registry' });
    assert.deepEqual(verifyRegistryToken(key, 'glpat-abc', expected, T0), { ok: false, reason: 'registry token malformed' });
  });

  it('tells a JWT from a Trove token by its form', () => {
    assert.equal(looksLikeJwt(issue().token), true);
    assert.equal(looksLikeJwt('glpat-AbCdEfGhIjKlMnOpQrStUvWxYz012345'), false);
    assert.equal(looksLikeJwt('eyJ.only-two'), false);
  });
});
