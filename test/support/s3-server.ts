import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { removeTempDir, tempDir } from './temp-dir.js';

// A real S3-compatible server for the tests: s3rver (npm devDependency) speaks the S3 REST
// protocol over HTTP on 127.0.0.1, checks SigV4 signatures against its fixed key pair
// S3RVER/S3RVER and keeps the objects in a fresh folder.

interface S3rverOptions {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string }[];
}
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
// s3rver is CommonJS and ships no types.
const S3rver = createRequire(import.meta.url)('s3rver') as new (options: S3rverOptions) => S3rverInstance;

export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface RunningS3 {
  endpoint: string;
  bucket: string;
  /** Where s3rver keeps the bucket's objects (removed by stop()). */
  directory: string;
  /** An SDK client of the test's own, to look into the bucket independently of Trove. */
  client: S3Client;
  /** TROVE_BLOB_STORE for this bucket (and prefix), plus the credentials, for startTrove({ env }). */
  troveEnv(prefix?: string): Record<string, string>;
  /** Every object key in the bucket (optionally below a prefix), sorted. */
  keys(prefix?: string): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startS3Server(options: { bucket?: string } = {}): Promise<RunningS3> {
  const bucket = options.bucket ?? 'trove-test';
  const directory = tempDir('trove-s3rver-');
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    endpoint,
    bucket,
    directory,
    client,
    troveEnv: (prefix) => ({
      TROVE_BLOB_STORE: `s3://${bucket}${prefix ? `/${prefix}` : ''}?endpoint=${encodeURIComponent(endpoint)}&region=us-east-1&force_path_style=true`,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    }),
    async keys(prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        for (const object of page.Contents ?? []) keys.push(object.Key!);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys.sort();
    },
    async stop() {
      client.destroy();
      await server.close();
      removeTempDir(directory);
    },
  };
}
