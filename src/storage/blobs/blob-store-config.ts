import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// TROVE_BLOB_STORE: unset or `file:<path>` keeps blobs in a folder (default <data>/blobs);
// `s3://<bucket>[/<prefix>]?endpoint=...&region=...&force_path_style=true` puts them in an
// S3-compatible bucket. Credentials come only from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.

export type BlobStoreConfig = FsBlobStoreConfig | S3BlobStoreConfig;

export interface FsBlobStoreConfig {
  kind: 'file';
  dir: string;
}

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface S3BlobStoreConfig {
  kind: 's3';
  bucket: string;
  /** '' or `a/b`: objects live below `a/b/`. */
  prefix: string;
  /** Unset means AWS itself. */
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
  /** A function, so that logging or serializing the config can never print the secret. */
  credentials: () => Promise<S3Credentials>;
}

export class BlobStoreSettingError extends Error {}

const SETTING = 'TROVE_BLOB_STORE';
const S3_PARAMETERS = ['endpoint', 'region', 'force_path_style'];
// S3's bucket naming rules (3-63 lowercase letters, digits, dots and hyphens).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const PREFIX = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

function fail(message: string): never {
  throw new BlobStoreSettingError(`${SETTING} ${message}`);
}

function fileSetting(raw: string): FsBlobStoreConfig {
  const rest = raw.slice('file:'.length);
  if (!rest) fail('file: needs a folder, e.g. file:/srv/trove/blobs');
  return { kind: 'file', dir: rest.startsWith('//') ? fileURLToPath(raw) : resolve(rest) };
}

function endpointOf(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    fail('endpoint must be an http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail('endpoint must be an http:// or https:// URL');
  if (url.username || url.password) fail('endpoint must not contain credentials; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  if (url.search || url.hash) fail('endpoint must not have a query or fragment');
  return url.href.replace(/\/+$/, '');
}

function s3Setting(raw: string, env: NodeJS.ProcessEnv): S3BlobStoreConfig {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    fail('is not a valid s3://<bucket>[/<prefix>] URL');
  }
  if (url.username || url.password) fail('must not contain credentials; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  if (url.port) fail('s3://<bucket> takes no port; give the server as ?endpoint=http://host:port');
  const bucket = url.hostname;
  if (!BUCKET.test(bucket) || bucket.includes('..')) fail(`bucket name "${bucket}" is not a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)`);
  // From the raw text: URL parsing would quietly resolve `a/../b` to `b`.
  const prefix = (/^s3:\/\/[^/?#]*([^?#]*)/.exec(raw)?.[1] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix && (!PREFIX.test(prefix) || prefix.split('/').some((s) => s === '.' || s === '..'))) {
    fail(`prefix "${prefix}" may only hold letters, digits, '.', '_', '-' and '/' between segments`);
  }
  for (const name of url.searchParams.keys()) {
    if (!S3_PARAMETERS.includes(name)) fail(`has an unknown parameter "${name}" (known: ${S3_PARAMETERS.join(', ')})`);
  }
  const endpointRaw = url.searchParams.get('endpoint');
  const endpoint = endpointRaw ? endpointOf(endpointRaw) : undefined;
  const region = url.searchParams.get('region') || env.AWS_REGION || 'us-east-1';
  if (!/^[a-z0-9-]+$/.test(region)) fail(`region "${region}" is not a region name`);
  const pathStyle = url.searchParams.get('force_path_style');
  if (pathStyle !== null && pathStyle !== 'true' && pathStyle !== 'false') fail(`force_path_style must be true or false, got "${pathStyle}"`);
  // Self-hosted S3-compatible servers rarely have per-bucket DNS names; AWS itself prefers them.
  const forcePathStyle = pathStyle === null ? endpoint !== undefined : pathStyle === 'true';
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
  if (!accessKeyId || !secretAccessKey) fail('is an s3:// store: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment');
  const credentials = { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  return { kind: 's3', bucket, prefix, endpoint, region, forcePathStyle, credentials: async () => credentials };
}

/** Parses TROVE_BLOB_STORE; throws BlobStoreSettingError with a message naming what is wrong. */
export function parseBlobStoreSetting(env: NodeJS.ProcessEnv, defaultDir: string): BlobStoreConfig {
  const raw = env[SETTING];
  if (!raw) return { kind: 'file', dir: defaultDir };
  if (raw.startsWith('file:')) return fileSetting(raw);
  if (raw.startsWith('s3://')) return s3Setting(raw, env);
  // The value itself is not echoed: a mistyped one may hold a secret.
  return fail('must be file:<folder> or s3://<bucket>[/<prefix>]?endpoint=...');
}
