import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { BlobDigests, chunksOf } from '../blob-digests.js';
import { blobPath } from '../blob-key.js';
import type { CollectableBlobStore, DigestSet, PutOptions, PutResult } from '../blob-store.js';
import type { S3BlobStoreConfig } from '../blob-store-config.js';

/** S3 copies an object in one request only up to 5 GiB (beyond it needs a multipart copy). */
export const S3_SINGLE_COPY_LIMIT = 5 * 1024 ** 3;
// Parts are buffered in memory while they upload: PART_BYTES x (QUEUE_SIZE + 1) per upload.
// 8 MiB parts keep a 5 GiB upload at 640 parts, far below S3's 10,000.
const PART_BYTES = 8 * 1024 * 1024;
const QUEUE_SIZE = 2;

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/**
 * Blobs in an S3-compatible bucket, laid out as [prefix/]aa/bb/<sha256> like the folder store.
 * An upload streams to tmp/<uuid> (multipart once it passes one part), is then copied to its
 * content address and the temporary object deleted; identical content is stored once.
 */
export class S3BlobStore implements CollectableBlobStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(private readonly config: Omit<S3BlobStoreConfig, 'kind'>) {
    this.bucket = config.bucket;
    this.prefix = config.prefix ? `${config.prefix}/` : '';
    this.client = new S3Client({
      endpoint: config.endpoint,
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      credentials: config.credentials,
      // Checksums only where S3 requires them: many S3-compatible servers reject the SDK's
      // newer default (CRC32 trailers on every upload). Trove computes its own digests anyway.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  private keyOf(sha256: string): string {
    return `${this.prefix}${blobPath(sha256)}`;
  }

  /** Fails with a message naming the bucket and endpoint when the bucket cannot be used. */
  async assertReachable(): Promise<void> {
    const where = `bucket "${this.bucket}" at ${this.config.endpoint ?? `AWS ${this.config.region}`}`;
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), { abortSignal: AbortSignal.timeout(15_000) });
    } catch (error) {
      const status = statusOf(error);
      const reason =
        status === 404 ? 'the bucket does not exist'
        : status === 403 || status === 401 ? 'access denied (check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)'
        : status === 301 ? 'the bucket is in another region (set ?region=...)'
        : status ? `HTTP ${status}`
        : (error as Error).message || (error as Error).name;
      throw new Error(`TROVE_BLOB_STORE: cannot use ${where}: ${reason}`);
    }
  }

  async put<D extends DigestSet = 'all'>(data: Buffer | AsyncIterable<Uint8Array>, options: PutOptions<D> = {}): Promise<PutResult<D>> {
    const digests = new BlobDigests(options.maxBytes, options.digests);
    // The source's own failure (413, a client that went away) is the error to report, not
    // whatever the SDK makes of the aborted upload.
    let sourceError: unknown;
    async function* measured(): AsyncGenerator<Uint8Array> {
      try {
        for await (const chunk of chunksOf(data)) {
          digests.add(chunk);
          yield chunk;
        }
      } catch (error) {
        sourceError = error;
        throw error;
      }
    }
    const body = Readable.from(measured());
    const tmpKey = `${this.prefix}tmp/${randomUUID()}`;
    try {
      const upload = new Upload({ client: this.client, params: { Bucket: this.bucket, Key: tmpKey, Body: body }, partSize: PART_BYTES, queueSize: QUEUE_SIZE });
      await upload.done();
    } catch (error) {
      body.destroy();
      // Nothing should exist under tmpKey (the object appears only when the upload completes),
      // but a failure after completion must not leave it behind either.
      await this.deleteKey(tmpKey).catch(() => undefined);
      throw sourceError ?? error;
    }
    const blob = digests.result();
    try {
      await options.beforePlace?.(blob);
      const key = this.keyOf(blob.sha256);
      if (!(await this.keyExists(key))) {
        await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: key, CopySource: `${this.bucket}/${tmpKey}` }));
      }
    } catch (error) {
      await this.deleteKey(tmpKey).catch(() => undefined);
      throw error;
    }
    await this.deleteKey(tmpKey);
    return blob;
  }

  async open(sha256: string): Promise<Readable> {
    const key = this.keyOf(sha256);
    try {
      const { Body } = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!(Body instanceof Readable)) throw new Error('the SDK returned no Node stream');
      return Body;
    } catch (error) {
      throw new Error(`blob ${sha256} cannot be read from bucket "${this.bucket}": ${(error as Error).message}`, { cause: error });
    }
  }

  async exists(sha256: string): Promise<boolean> {
    return this.keyExists(this.keyOf(sha256));
  }

  async remove(sha256: string): Promise<void> {
    await this.deleteKey(this.keyOf(sha256));
  }

  async *list(): AsyncIterable<string> {
    const blobKey = /^[0-9a-f]{2}\/[0-9a-f]{2}\/([0-9a-f]{64})$/;
    for await (const object of this.objectsBelow(this.prefix)) {
      const match = blobKey.exec(object.key.slice(this.prefix.length));
      if (match) yield match[1];
    }
  }

  /**
   * A temporary object exists from the end of its upload until its copy (seconds); an older one
   * was left by a crash. Multipart uploads a crash cut short are not objects: a bucket lifecycle
   * rule (AbortIncompleteMultipartUpload) removes their parts.
   */
  async removeTemporaries(before: Date): Promise<number> {
    let removed = 0;
    for await (const object of this.objectsBelow(`${this.prefix}tmp/`)) {
      if (object.lastModified < before) {
        await this.deleteKey(object.key);
        removed++;
      }
    }
    return removed;
  }

  private async *objectsBelow(prefix: string): AsyncIterable<{ key: string; lastModified: Date }> {
    let ContinuationToken: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken }));
      for (const object of page.Contents ?? []) {
        if (object.Key) yield { key: object.Key, lastModified: object.LastModified ?? new Date() };
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  /** Closes the client's connections (tests; a server process just exits). */
  destroy(): void {
    this.client.destroy();
  }

  private async keyExists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      // Only "not there" means false; an unreachable bucket must not look like a missing blob.
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }

  private async deleteKey(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}
