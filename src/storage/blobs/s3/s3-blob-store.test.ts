import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../../../../test/support/trove-process.js';
import { startS3Server, S3RVER_CREDENTIALS, type RunningS3 } from '../../../../test/support/s3-server.js';
import { S3BlobStore } from './s3-blob-store.js';

// What only the S3 store has: a key prefix and the start-up check of the bucket
// (the BlobStore contract itself is in ../blob-store.test.ts). s3rver checks the access key id
// but not SigV4 signatures, so an unknown key id stands for wrong credentials here.

describe('S3BlobStore against s3rver', () => {
  let s3: RunningS3;
  const stores: S3BlobStore[] = [];
  const storeFor = (options: { bucket?: string; prefix?: string; endpoint?: string; accessKeyId?: string } = {}) => {
    const store = new S3BlobStore({
      bucket: options.bucket ?? s3.bucket,
      prefix: options.prefix ?? '',
      endpoint: options.endpoint ?? s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: async () => ({ ...S3RVER_CREDENTIALS, accessKeyId: options.accessKeyId ?? S3RVER_CREDENTIALS.accessKeyId }),
    });
    stores.push(store);
    return store;
  };
  before(async () => {
    s3 = await startS3Server();
  });
  after(async () => {
    for (const store of stores) store.destroy();
    await s3.stop();
  });

  it('keeps blobs below the prefix', async () => {
    const store = storeFor({ prefix: 'team-a/blobs' });
    const blob = await store.put(Buffer.from('prefixed'));
    assert.deepEqual(await s3.keys(), [`team-a/blobs/${blob.sha256.slice(0, 2)}/${blob.sha256.slice(2, 4)}/${blob.sha256}`]);
    // The same content without a prefix is a different object: prefixes do not see each other.
    assert.equal(await storeFor().exists(blob.sha256), false);
    await store.remove(blob.sha256);
    assert.deepEqual(await s3.keys(), []);
  });

  it('passes the start-up check for a reachable bucket', async () => {
    await storeFor().assertReachable();
  });

  it('fails the start-up check with a message naming the bucket and the reason', async () => {
    await assert.rejects(storeFor({ bucket: 'no-such-bucket' }).assertReachable(), {
      message: `TROVE_BLOB_STORE: cannot use bucket "no-such-bucket" at ${s3.endpoint}: the bucket does not exist`,
    });
    await assert.rejects(storeFor({ accessKeyId: 'UNKNOWN' }).assertReachable(), {
      message: `TROVE_BLOB_STORE: cannot use bucket "${s3.bucket}" at ${s3.endpoint}: access denied (check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)`,
    });
    const closed = `http://127.0.0.1:${await freePort()}`;
    await assert.rejects(storeFor({ endpoint: closed }).assertReachable(), (error: Error) => {
      assert.match(error.message, new RegExp(`^TROVE_BLOB_STORE: cannot use bucket "${s3.bucket}" at ${closed}: .*ECONNREFUSED`));
      return true;
    });
  });

  it('does not take a failing bucket for a missing blob', async () => {
    await assert.rejects(storeFor({ accessKeyId: 'UNKNOWN' }).exists('a'.repeat(64)), (error: { $metadata?: { httpStatusCode?: number } }) => error.$metadata?.httpStatusCode === 403);
    assert.equal(await storeFor().exists('a'.repeat(64)), false);
  });
});
