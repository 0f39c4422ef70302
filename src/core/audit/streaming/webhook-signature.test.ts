import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateSecret, secretKey, verificationToken, webhookSignature } from './webhook-signature.js';

describe('Standard Webhooks signatures', () => {
  it('matches the reference example of the Standard Webhooks libraries', () => {
    // The secret, id, timestamp, payload and signature used throughout the standard-webhooks test suites.
    const signature = webhookSignature('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
    assert.equal(signature, 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('accepts secrets of 24 to 64 bytes only, and generates 32', () => {
    assert.equal(secretKey('whsec_' + Buffer.alloc(23).toString('base64')), null);
    assert.equal(secretKey('whsec_' + Buffer.alloc(24).toString('base64'))?.length, 24);
    assert.equal(secretKey('whsec_' + Buffer.alloc(64).toString('base64'))?.length, 64);
    assert.equal(secretKey('whsec_' + Buffer.alloc(65).toString('base64')), null);
    assert.equal(secretKey(Buffer.alloc(32).toString('base64')), null, 'the whsec_ prefix is required');
    assert.equal(secretKey('whsec_not base64!'), null);
    const generated = generateSecret();
    assert.equal(secretKey(generated)?.length, 32);
    assert.notEqual(generateSecret(), generated);
  });

  it('derives the GitLab verification token from the secret without revealing it', () => {
    const secret = generateSecret();
    const token = verificationToken(secret);
    assert.equal(token, verificationToken(secret));
    assert.notEqual(token, verificationToken(generateSecret()));
    assert.equal(secret.includes(token), false);
  });
});
