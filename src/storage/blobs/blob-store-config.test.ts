import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../config/config.js';

// TROVE_BLOB_STORE as loadConfig reads it at start: every mistake is a ConfigError that says what to fix.

const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'very-secret-key-0123456789' };

function refused(env: Record<string, string>, message: RegExp) {
  assert.throws(() => loadConfig({ TROVE_DATA_DIR: '/srv/trove', ...env }), (error: Error) => {
    assert.ok(error instanceof ConfigError, `${error.name}: ${error.message}`);
    assert.match(error.message, message);
    return true;
  });
}

describe('TROVE_BLOB_STORE', () => {
  it('defaults to the folder store in the data folder', () => {
    assert.deepEqual(loadConfig({ TROVE_DATA_DIR: '/srv/trove' }).blobStore, { kind: 'file', dir: '/srv/trove/blobs' });
    assert.deepEqual(loadConfig({ TROVE_DATA_DIR: '/srv/trove', TROVE_BLOB_STORE: '' }).blobStore, { kind: 'file', dir: '/srv/trove/blobs' });
  });

  it('takes a folder as file:<path> or a file:// URL', () => {
    assert.deepEqual(loadConfig({ TROVE_BLOB_STORE: 'file:/mnt/shared/blobs' }).blobStore, { kind: 'file', dir: '/mnt/shared/blobs' });
    assert.deepEqual(loadConfig({ TROVE_BLOB_STORE: 'file:///mnt/shared/blobs' }).blobStore, { kind: 'file', dir: '/mnt/shared/blobs' });
    assert.deepEqual(loadConfig({ TROVE_BLOB_STORE: 'file:shared/blobs' }).blobStore, { kind: 'file', dir: resolve('shared/blobs') });
  });

  it('reads bucket, prefix, endpoint, region and path style from an s3:// URL', async () => {
    const config = loadConfig({
      TROVE_BLOB_STORE: 's3://trove-blobs/prod/eu?endpoint=http://127.0.0.1:9000&region=eu-west-1&force_path_style=true',
      ...CREDENTIALS,
    }).blobStore;
    assert.ok(config.kind === 's3');
    const { credentials, ...rest } = config;
    assert.deepEqual(rest, { kind: 's3', bucket: 'trove-blobs', prefix: 'prod/eu', endpoint: 'http://127.0.0.1:9000', region: 'eu-west-1', forcePathStyle: true });
    assert.deepEqual(await credentials(), { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'very-secret-key-0123456789' });
  });

  it('defaults to us-east-1 (or AWS_REGION) and to path style only with a custom endpoint', () => {
    const aws = loadConfig({ TROVE_BLOB_STORE: 's3://trove-blobs', ...CREDENTIALS }).blobStore;
    assert.ok(aws.kind === 's3');
    assert.deepEqual([aws.prefix, aws.endpoint, aws.region, aws.forcePathStyle], ['', undefined, 'us-east-1', false]);
    const custom = loadConfig({ TROVE_BLOB_STORE: 's3://trove-blobs/?endpoint=https://s3.example.test', AWS_REGION: 'ap-south-1', ...CREDENTIALS }).blobStore;
    assert.ok(custom.kind === 's3');
    assert.deepEqual([custom.prefix, custom.region, custom.forcePathStyle], ['', 'ap-south-1', true]);
  });

  it('never shows the secret when the configuration is logged or serialized', () => {
    const config = loadConfig({ TROVE_BLOB_STORE: 's3://trove-blobs?endpoint=http://127.0.0.1:9000', ...CREDENTIALS });
    assert.doesNotMatch(JSON.stringify(config), /very-secret-key/);
    assert.doesNotMatch(inspect(config, { depth: 10 }), /very-secret-key/);
  });

  it('refuses mistakes with a message that says what to fix', () => {
    refused({ TROVE_BLOB_STORE: '/mnt/blobs' }, /^TROVE_BLOB_STORE must be file:<folder> or s3:\/\/<bucket>/);
    refused({ TROVE_BLOB_STORE: 'file:' }, /^TROVE_BLOB_STORE file: needs a folder/);
    refused({ TROVE_BLOB_STORE: 's3://trove-blobs' }, /set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment/);
    refused({ TROVE_BLOB_STORE: 's3://trove-blobs', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE' }, /set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
    refused({ TROVE_BLOB_STORE: 's3://key:secret@trove-blobs', ...CREDENTIALS }, /must not contain credentials/);
    refused({ TROVE_BLOB_STORE: 's3://Trove_Blobs', ...CREDENTIALS }, /bucket name "Trove_Blobs" is not a valid S3 bucket name/);
    refused({ TROVE_BLOB_STORE: 's3://ab', ...CREDENTIALS }, /bucket name "ab"/);
    refused({ TROVE_BLOB_STORE: 's3://trove-blobs:9000', ...CREDENTIALS }, /takes no port; give the server as \?endpoint=/);
    refused({ TROVE_BLOB_STORE: 's3://trove-blobs/a/../b', ...CREDENTIALS }, /prefix/);
    refused({ TROVE_BLOB_STORE: 's3://trove-blobs/a//b', ...CREDENTIALS }, /prefix "a\/\/b"/);
    refused({ TROVE_BLOB_STORE: 's3://trove-blobs?endpiont=http://127.0.0.1:9000', ...CREDENTIALS }, /unknown parameter "endpiont" \(known: endpoint, region, force_path_style\)/);
    refused({ TROVE_BLOB_STORE: 's3://trove-blobs?endpoint=ftp://127.0.0.1', ...CREDENTIALS }, /endpoint must be an http:\/\/ or https:\/\/ URL/);
    refused({ TROVE_BLOB_STORE: 's3://trove-blobs?endpoint=127.0.0.1:9000', ...CREDENTIALS }, /endpoint must be an http:\/\/ or https:\/\/ URL/);
    refused({ TROVE_BLOB_STORE: 's3://trove-blobs?endpoint=http://k:s@127.0.0.1:9000', ...CREDENTIALS }, /endpoint must not contain credentials/);
    refused({ TROVE_BLOB_STORE: 's3://trove-blobs?force_path_style=yes', ...CREDENTIALS }, /force_path_style must be true or false, got "yes"/);
    refused({ TROVE_BLOB_STORE: 's3://trove-blobs?region=EU West', ...CREDENTIALS }, /region "EU West" is not a region name/);
  });
});
