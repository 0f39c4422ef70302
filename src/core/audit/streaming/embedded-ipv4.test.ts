import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { embeddedIPv4 } from './embedded-ipv4.js';

describe('IPv4 addresses carried in IPv6', () => {
  it('reads IPv4-mapped addresses, dotted or hex, in any spelling', () => {
    for (const address of ['::ffff:127.0.0.1', '::ffff:7f00:1', '::FFFF:7F00:0001', '0:0:0:0:0:ffff:7f00:1', '0000::ffff:127.0.0.1']) {
      assert.equal(embeddedIPv4(address), '127.0.0.1', address);
    }
    assert.equal(embeddedIPv4('::ffff:a9fe:a9fe'), '169.254.169.254');
  });

  it('reads IPv4-compatible addresses', () => {
    for (const address of ['::127.0.0.1', '::7f00:1', '0:0:0:0:0:0:7f00:1']) assert.equal(embeddedIPv4(address), '127.0.0.1', address);
    assert.equal(embeddedIPv4('::a00:1'), '10.0.0.1');
  });

  it('leaves IPv6 addresses and IPv4 text alone', () => {
    for (const address of ['::', '::1', '2606:4700::1111', 'fe80::1', '::ffff:0:7f00:1', '1::ffff:7f00:1', '127.0.0.1', 'localhost', 'not an address']) {
      assert.equal(embeddedIPv4(address), null, address);
    }
  });
});
