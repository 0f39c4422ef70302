import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

describe('TROVE_TLS_CERT / TROVE_TLS_KEY', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trove-tls-config-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  writeFileSync(cert, 'cert');
  writeFileSync(key, 'key');
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('serves plain HTTP when neither is set (empty means unset)', () => {
    assert.equal(loadConfig({}).tls, undefined);
    assert.equal(loadConfig({ TROVE_TLS_CERT: '', TROVE_TLS_KEY: '' }).tls, undefined);
    assert.equal(loadConfig({ TROVE_PORT: '9000' }).baseUrl, 'http://127.0.0.1:9000');
  });

  it('serves HTTPS with both, and the default base URL says https', () => {
    const config = loadConfig({ TROVE_TLS_CERT: cert, TROVE_TLS_KEY: key, TROVE_PORT: '9443' });
    assert.deepEqual(config.tls, { certFile: cert, keyFile: key });
    assert.equal(config.baseUrl, 'https://127.0.0.1:9443');
    assert.equal(loadConfig({ TROVE_TLS_CERT: cert, TROVE_TLS_KEY: key, TROVE_BASE_URL: 'https://trove.example' }).baseUrl, 'https://trove.example');
  });

  it('refuses to start with only one of them, naming the one that is set', () => {
    assert.throws(() => loadConfig({ TROVE_TLS_CERT: cert }), (error: Error) => error instanceof ConfigError && /TROVE_TLS_CERT and TROVE_TLS_KEY must be set together \(only TROVE_TLS_CERT is set\)/.test(error.message));
    assert.throws(() => loadConfig({ TROVE_TLS_KEY: key, TROVE_TLS_CERT: '' }), (error: Error) => error instanceof ConfigError && /only TROVE_TLS_KEY is set/.test(error.message));
  });

  it('refuses a file that does not exist', () => {
    assert.throws(() => loadConfig({ TROVE_TLS_CERT: join(dir, 'missing.pem'), TROVE_TLS_KEY: key }), (error: Error) => error instanceof ConfigError && /TROVE_TLS_CERT names .*missing\.pem, which does not exist/.test(error.message));
  });
});
