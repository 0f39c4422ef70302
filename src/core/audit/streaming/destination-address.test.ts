import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertAddressAllowed, assertUrlAllowed, DestinationAddressError, type AddressPolicy } from './destination-address.js';
import { retryAfterMs } from './delivery-request.js';

const strict: AddressPolicy = { allowPrivate: false, selfHost: '0.0.0.0', selfPort: 8080, selfBaseUrl: 'https://trove.example.com' };
const lenient: AddressPolicy = { ...strict, allowPrivate: true };
const refused = (address: string, port: number, policy: AddressPolicy) =>
  assert.throws(() => assertAddressAllowed(address, port, policy), DestinationAddressError, `${address}:${port}`);

describe('streaming destination addresses (SSRF guard)', () => {
  it('refuses loopback, private and mapped private addresses unless allowed', () => {
    for (const address of ['127.0.0.1', '127.8.9.10', '10.0.0.1', '172.16.5.4', '192.168.0.1', '::1', 'fd00::1', '::ffff:10.0.0.1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::7f00:1', '::127.0.0.1', '::a00:1']) {
      refused(address, 443, strict);
      assert.doesNotThrow(() => assertAddressAllowed(address, 443, lenient), address);
    }
  });

  it('always refuses link-local, unspecified, shared and multicast addresses', () => {
    for (const address of ['169.254.169.254', '0.0.0.0', '100.64.0.1', '224.0.0.1', '255.255.255.255', 'fe80::1', '::', 'ff02::1', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '::a9fe:a9fe']) {
      refused(address, 443, lenient);
    }
  });

  it('accepts public addresses', () => {
    for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700::1111']) assert.doesNotThrow(() => assertAddressAllowed(address, 443, strict));
  });

  it('refuses Trove itself: its port on a local address, or its public URL', async () => {
    refused('127.0.0.1', 8080, lenient);
    refused('10.1.2.3', 8080, lenient); // Trove listens on every interface (0.0.0.0)
    assert.doesNotThrow(() => assertAddressAllowed('127.0.0.1', 8081, lenient));
    await assert.rejects(assertUrlAllowed(new URL('https://trove.example.com/hook'), lenient), DestinationAddressError);
    const onLoopback = { ...lenient, selfHost: '127.0.0.1' };
    refused('127.0.0.1', 8080, onLoopback);
    refused('::ffff:7f00:1', 8080, onLoopback);
    refused('::127.0.0.1', 8080, onLoopback);
    assert.doesNotThrow(() => assertAddressAllowed('10.1.2.3', 8080, onLoopback));
  });
});

describe('Retry-After', () => {
  it('reads seconds and HTTP dates', () => {
    assert.equal(retryAfterMs('120'), 120_000);
    const now = Date.parse('2026-11-26T00:00:00Z');
    assert.equal(retryAfterMs('Thu, 26 Nov 2026 00:00:30 GMT', now), 30_000);
    assert.equal(retryAfterMs('Wed, 25 Nov 2026 00:00:00 GMT', now), 0);
    assert.equal(retryAfterMs(undefined), null);
    assert.equal(retryAfterMs('soon'), null);
  });
});
