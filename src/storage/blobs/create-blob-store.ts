import { ConfigError, type TroveConfig } from '../../config/config.js';
import type { CollectableBlobStore } from './blob-store.js';
import { FsBlobStore } from './fs/fs-blob-store.js';

/**
 * The blob store TROVE_BLOB_STORE names; an S3 bucket is checked before Trove starts serving.
 * The S3 store is loaded only when named: the AWS SDK adds ~23 MB to the process's RSS.
 */
export async function createBlobStore(config: TroveConfig): Promise<CollectableBlobStore> {
  const setting = config.blobStore;
  if (setting.kind === 'file') return new FsBlobStore(setting.dir);
  const { S3_SINGLE_COPY_LIMIT, S3BlobStore } = await import('./s3/s3-blob-store.js');
  const largest = Math.max(config.maxUploadBytes, config.genericMaxUploadBytes, config.mavenMaxUploadBytes, config.composerMaxUploadBytes, config.rubygemsMaxUploadBytes, config.cargoMaxUploadBytes, config.debianMaxUploadBytes, config.containerMaxBlobBytes);
  if (largest > S3_SINGLE_COPY_LIMIT) {
    // An upload is copied from its temporary key to its content address in one CopyObject.
    throw new ConfigError(`upload limits above ${S3_SINGLE_COPY_LIMIT} bytes (5 GiB) are not supported with an s3:// TROVE_BLOB_STORE, got ${largest}`);
  }
  const store = new S3BlobStore(setting);
  try {
    await store.assertReachable();
  } catch (error) {
    store.destroy();
    throw error;
  }
  return store;
}
