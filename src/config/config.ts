import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { BlobStoreSettingError, parseBlobStoreSetting, type BlobStoreConfig } from '../storage/blobs/blob-store-config.js';
import { INLINE_BLOB_MAX_KB_LIMIT } from '../storage/blobs/inline-blob-store.js';

// Configuration comes from environment variables only (documented in the README).
// It is validated once at start so a typo fails loudly instead of at the first request.
export interface TroveConfig {
  host: string;
  port: number;
  dataDir: string;
  baseUrl: string;
  /**
   * TROVE_TLS_CERT / TROVE_TLS_KEY: PEM files; when both are set Trove serves HTTPS on its port
   * (Go sends credentials only over HTTPS). Undefined: plain HTTP.
   */
  tls: TlsFiles | undefined;
  databaseFile: string;
  /** postgres://user:pass@host:5432/db selects PostgreSQL; unset means the embedded SQLite file. */
  databaseUrl?: string;
  blobDir: string;
  /** TROVE_BLOB_STORE: the folder store (default blobDir) or an S3-compatible bucket. */
  blobStore: BlobStoreConfig;
  rootPassword?: string;
  rootToken?: string;
  /** Instance default for package_audit_events when no group/namespace decides; `enforced`: always on, nobody can disable it. */
  packageAuditEventsDefault: 'enabled' | 'disabled' | 'enforced';
  /** Largest request body accepted by package uploads (bytes). */
  maxUploadBytes: number;
  /** Largest unpacked size of an npm tarball (decompression bomb limit). */
  maxUnpackedBytes: number;
  /** Largest npm version document (the manifest of one version, readme included) a publish may store (413 beyond). */
  maxManifestBytes: number;
  /** How long a container registry token from /jwt/auth is good for (GitLab's default: 5 minutes). */
  registryTokenSeconds: number;
  /** Largest generic package file (streamed, never buffered; GitLab's default is 5 GiB too). */
  genericMaxUploadBytes: number;
  /** Largest Maven file (streamed, never buffered; GitLab's maven_max_file_size default is 3 GiB). */
  mavenMaxUploadBytes: number;
  /** Largest Composer package zip (TROVE_COMPOSER_MAX_UPLOAD_BYTES), held in memory while it is checked. */
  composerMaxUploadBytes: number;
  /** Largest .gem (streamed, never buffered; GitLab's rubygems_max_file_size default is 3 GiB). */
  rubygemsMaxUploadBytes: number;
  /** Largest .crate in a cargo publish (streamed, never buffered; crates.io's limit is 10 MiB, raised here for private crates). */
  cargoMaxUploadBytes: number;
  /** Largest Debian package file (TROVE_DEBIAN_MAX_UPLOAD_BYTES; GitLab's debian_max_file_size default is 3 GiB). */
  debianMaxUploadBytes: number;
  /** TROVE_CONTAINER_MAX_BLOB_BYTES: the largest container image blob (layer) an upload may store. */
  containerMaxBlobBytes: number;
  /** Memory for recently downloaded small package files (TROVE_BLOB_CACHE_MB; 0 turns the cache off). */
  blobCacheBytes: number;
  /**
   * Package files up to this size that arrive whole in memory are kept in the database
   * (TROVE_INLINE_BLOB_MAX_KB: 256 with the blob folder, 0 = none with a bucket).
   */
  inlineBlobMaxBytes: number;
  logLevel: string;
  /** Names this process in /-/health (which process behind a balancer answered); default host:pid. */
  instanceName: string;
  /** Background jobs: a dead leader's lease lapses after this; overrides of job intervals by name. */
  jobLeaseMs: number;
  jobIntervals: Record<string, number>;
  /**
   * A blob is deleted once no file row and no upload has needed it for this long; registrations of
   * uploads and temporary files older than this belong to crashed uploads (TROVE_BLOB_GC_GRACE_SECONDS).
   */
  blobGcGraceMs: number;
  /**
   * How long a deleted version can be restored before the purge job removes it and its files
   * (TROVE_RESTORE_DAYS; TROVE_RESTORE_SECONDS overrides it, for tests).
   */
  restoreWindowMs: number;
  /** Tamper evidence (docs/architecture.md#tamper-evidence): checkpoint origin, signing key folder, and how often to seal. */
  auditOrigin: string | undefined;
  auditKeyDir: string;
  /** The secret that signs container registry tokens, outside the database. */
  registryTokenKeyFile: string;
  /** The key that encrypts the Debian distributions' private signing keys in the database, outside it. */
  debianSigningKeyFile: string;
  /** A folder every checkpoint is appended to (docs/architecture.md#tamper-evidence checkpoint mirrors); unset = none. */
  auditCheckpointMirrorDir: string | undefined;
  /** TROVE_AUDIT_TRUSTED_KEYS: keys (or key files) the operator pinned; the self-check holds checkpoints to them. */
  auditTrustedKeys: string | undefined;
  sealEveryEvents: number;
  sealEveryMs: number;
  /** Largest sealed log for which an export may carry inclusion proofs (proofs=true holds ~64 bytes per event). */
  auditProofMaxEvents: number;
  /** How long a web UI sign-in lasts (TROVE_SESSION_HOURS). */
  sessionTtlMs: number;
  /** Password sign-ins refused (429) after this many failures per login and IP address within the window. */
  signInThrottle: { maxFailures: number; windowMs: number };
  /** TROVE_CHECK_RESPONSE_CONTRACTS=1: every JSON response is checked against its route's declared schema (src/http/api.ts). */
  checkResponseContracts: boolean;
  /** Audit event streaming (docs/api.md#audit-event-streaming). */
  streaming: StreamingConfig;
  /** Trusted publishing (docs/architecture.md#bad-input-and-limits, OIDC ID tokens). */
  oidc: OidcConfig;
}

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

export interface OidcConfig {
  /**
   * TROVE_OIDC_ALLOW_INSECURE_ISSUERS=1: OIDC issuers may be on loopback and private networks, and
   * http:// on loopback (tests; a self-hosted CI on a private network). Never link-local, never Trove itself.
   */
  allowInsecureIssuers: boolean;
}

export interface StreamingConfig {
  /** TROVE_STREAMING_ALLOW_PRIVATE=1: destinations may be on loopback and private networks (never link-local). */
  allowPrivate: boolean;
  /** Delay before retry n+1 after n failed attempts; an event that fails once more than this has entries is dead-lettered. */
  retryScheduleMs: number[];
  /** A delivery that has no answer after this fails (and is retried). */
  timeoutMs: number;
  /** After this many failed deliveries in a row the destination's circuit opens ... */
  circuitFailures: number;
  /** ... for this long; then one probe decides whether it closes. */
  circuitPauseMs: number;
  /** How often the delivering process looks for events committed by other processes. */
  pollMs: number;
}

// docs/api.md#audit-event-streaming: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h.
const DEFAULT_RETRY_SCHEDULE_MS = [5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 86_400].map((s) => s * 1000);

/** "50,100,200": the retry schedule in milliseconds (tests use a fast one). */
function retryScheduleFrom(env: NodeJS.ProcessEnv): number[] {
  const raw = env.TROVE_STREAMING_RETRY_SCHEDULE_MS;
  if (!raw) return DEFAULT_RETRY_SCHEDULE_MS;
  const delays = raw.split(',').map((item) => Number(item.trim()));
  if (delays.some((d) => !Number.isInteger(d) || d < 1 || d > 7 * 86_400_000) || delays.length > 100) {
    throw new ConfigError(`TROVE_STREAMING_RETRY_SCHEDULE_MS must be a comma-separated list of 1 to 100 delays in milliseconds, got "${raw}"`);
  }
  return delays;
}

function streamingFrom(env: NodeJS.ProcessEnv): StreamingConfig {
  return {
    allowPrivate: oneOf(env, 'TROVE_STREAMING_ALLOW_PRIVATE', ['0', '1'] as const, '0') === '1',
    retryScheduleMs: retryScheduleFrom(env),
    timeoutMs: intFrom(env, 'TROVE_STREAMING_TIMEOUT_MS', 15_000, 10, 300_000),
    circuitFailures: intFrom(env, 'TROVE_STREAMING_CIRCUIT_FAILURES', 10, 1, 100_000),
    circuitPauseMs: intFrom(env, 'TROVE_STREAMING_CIRCUIT_PAUSE_MS', 10 * 60_000, 10, 86_400_000),
    pollMs: intFrom(env, 'TROVE_STREAMING_POLL_MS', 250, 10, 60_000),
  };
}

export class ConfigError extends Error {}

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function databaseUrlFrom(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.TROVE_DATABASE_URL;
  if (!raw) return undefined;
  if (!/^postgres(ql)?:\/\//.test(raw)) throw new ConfigError('TROVE_DATABASE_URL must start with postgres:// (or be unset for SQLite)');
  return raw;
}

/** "purge-expired-job-tokens=2s,seal=500ms": per-job interval overrides (mostly for tests). */
function jobIntervalsFrom(env: NodeJS.ProcessEnv): Record<string, number> {
  const raw = env.TROVE_JOB_INTERVALS;
  const out: Record<string, number> = {};
  if (!raw) return out;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  for (const item of raw.split(',')) {
    const match = /^\s*([a-z0-9-]+)=(\d+)(ms|s|m|h)\s*$/.exec(item);
    if (!match || Number(match[2]) <= 0) throw new ConfigError(`TROVE_JOB_INTERVALS: "${item}" is not name=<number><ms|s|m|h>`);
    out[match[1]] = Number(match[2]) * units[match[3]];
  }
  return out;
}

function blobStoreFrom(env: NodeJS.ProcessEnv, defaultDir: string): BlobStoreConfig {
  try {
    return parseBlobStoreSetting(env, defaultDir);
  } catch (error) {
    if (error instanceof BlobStoreSettingError) throw new ConfigError(error.message);
    throw error;
  }
}

/** Both files or neither: one alone is a half-done setup that would otherwise serve plain HTTP unnoticed. */
function tlsFrom(env: NodeJS.ProcessEnv): TlsFiles | undefined {
  const cert = env.TROVE_TLS_CERT || undefined;
  const key = env.TROVE_TLS_KEY || undefined;
  if (!cert && !key) return undefined;
  if (!cert || !key) {
    throw new ConfigError(`TROVE_TLS_CERT and TROVE_TLS_KEY must be set together (only ${cert ? 'TROVE_TLS_CERT' : 'TROVE_TLS_KEY'} is set)`);
  }
  const files = { certFile: resolve(cert), keyFile: resolve(key) };
  for (const [name, file] of [['TROVE_TLS_CERT', files.certFile], ['TROVE_TLS_KEY', files.keyFile]] as const) {
    if (!existsSync(file)) throw new ConfigError(`${name} names ${file}, which does not exist`);
  }
  return files;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TroveConfig {
  const host = env.TROVE_HOST || '127.0.0.1';
  const port = intFrom(env, 'TROVE_PORT', 8080, 0, 65535);
  const dataDir = resolve(env.TROVE_DATA_DIR || './data');
  const hostForUrl = host.includes(':') ? `[${host}]` : host;
  const tls = tlsFrom(env);
  const baseUrl = (env.TROVE_BASE_URL || `${tls ? 'https' : 'http'}://${hostForUrl}:${port}`).replace(/\/+$/, '');
  if (!/^https?:\/\//.test(baseUrl)) throw new ConfigError(`TROVE_BASE_URL must start with http:// or https://`);
  // An empty value means unset, as for every other variable (TROVE_ROOT_TOKEN=${X:-} in a compose file).
  if (env.TROVE_ROOT_TOKEN && env.TROVE_ROOT_TOKEN.length < 20) {
    throw new ConfigError('TROVE_ROOT_TOKEN must be at least 20 characters');
  }
  if (env.TROVE_ROOT_PASSWORD && env.TROVE_ROOT_PASSWORD.length < 8) {
    throw new ConfigError('TROVE_ROOT_PASSWORD must be at least 8 characters');
  }
  const blobStore = blobStoreFrom(env, resolve(dataDir, 'blobs'));
  return {
    host,
    port,
    dataDir,
    baseUrl,
    tls,
    databaseFile: resolve(dataDir, 'trove.db'),
    databaseUrl: databaseUrlFrom(env),
    blobDir: resolve(dataDir, 'blobs'),
    blobStore,
    rootPassword: env.TROVE_ROOT_PASSWORD || undefined,
    rootToken: env.TROVE_ROOT_TOKEN || undefined,
    packageAuditEventsDefault: oneOf(env, 'TROVE_PACKAGE_AUDIT_EVENTS', ['enabled', 'disabled', 'enforced'] as const, 'enabled'),
    maxUploadBytes: intFrom(env, 'TROVE_MAX_UPLOAD_BYTES', 200 * 1024 * 1024, 1024, 2 ** 40),
    maxUnpackedBytes: intFrom(env, 'TROVE_MAX_UNPACKED_BYTES', 1024 * 1024 * 1024, 1024, 2 ** 40),
    maxManifestBytes: intFrom(env, 'TROVE_MAX_MANIFEST_BYTES', 4 * 1024 * 1024, 1024, 256 * 1024 * 1024),
    registryTokenSeconds: intFrom(env, 'TROVE_REGISTRY_TOKEN_SECONDS', 300, 1, 24 * 3600),
    genericMaxUploadBytes: intFrom(env, 'TROVE_GENERIC_MAX_UPLOAD_BYTES', 5 * 1024 ** 3, 1024, 2 ** 40),
    mavenMaxUploadBytes: intFrom(env, 'TROVE_MAVEN_MAX_UPLOAD_BYTES', 3 * 1024 ** 3, 1024, 2 ** 40),
    // A zip is read whole into memory to check it (its central directory is at the end): kept small.
    composerMaxUploadBytes: intFrom(env, 'TROVE_COMPOSER_MAX_UPLOAD_BYTES', 64 * 1024 * 1024, 1024, 2 * 1024 ** 3),
    rubygemsMaxUploadBytes: intFrom(env, 'TROVE_RUBYGEMS_MAX_UPLOAD_BYTES', 3 * 1024 ** 3, 1024, 2 ** 40),
    cargoMaxUploadBytes: intFrom(env, 'TROVE_CARGO_MAX_UPLOAD_BYTES', 100 * 1024 ** 2, 1024, 2 ** 40),
    debianMaxUploadBytes: intFrom(env, 'TROVE_DEBIAN_MAX_UPLOAD_BYTES', 3 * 1024 ** 3, 1024, 2 ** 40),
    containerMaxBlobBytes: intFrom(env, 'TROVE_CONTAINER_MAX_BLOB_BYTES', 3 * 1024 ** 3, 1024, 2 ** 40),
    blobCacheBytes: intFrom(env, 'TROVE_BLOB_CACHE_MB', 32, 0, 65_536) * 1024 * 1024,
    // With a bucket configured, every package file goes to the bucket unless asked otherwise.
    inlineBlobMaxBytes: intFrom(env, 'TROVE_INLINE_BLOB_MAX_KB', blobStore.kind === 'file' ? 256 : 0, 0, INLINE_BLOB_MAX_KB_LIMIT) * 1024,
    logLevel: env.TROVE_LOG_LEVEL || 'info',
    instanceName: env.TROVE_INSTANCE_NAME || `${hostname()}:${process.pid}`,
    jobLeaseMs: intFrom(env, 'TROVE_JOB_LEASE_SECONDS', 20, 2, 3600) * 1000,
    jobIntervals: jobIntervalsFrom(env),
    blobGcGraceMs: intFrom(env, 'TROVE_BLOB_GC_GRACE_SECONDS', 3600, 1, 30 * 86_400) * 1000,
    restoreWindowMs: env.TROVE_RESTORE_SECONDS
      ? intFrom(env, 'TROVE_RESTORE_SECONDS', 0, 1, 3650 * 86_400) * 1000
      : intFrom(env, 'TROVE_RESTORE_DAYS', 30, 1, 3650) * 86_400_000,
    auditOrigin: env.TROVE_AUDIT_ORIGIN || undefined,
    auditKeyDir: resolve(env.TROVE_AUDIT_KEY_DIR || resolve(dataDir, 'audit-keys')),
    registryTokenKeyFile: resolve(env.TROVE_REGISTRY_TOKEN_KEY_FILE || resolve(dataDir, 'secrets', 'registry-token.key')),
    debianSigningKeyFile: resolve(env.TROVE_DEBIAN_SIGNING_KEY_FILE || resolve(dataDir, 'secrets', 'debian-signing.key')),
    auditCheckpointMirrorDir: env.TROVE_AUDIT_CHECKPOINT_MIRROR_DIR ? resolve(env.TROVE_AUDIT_CHECKPOINT_MIRROR_DIR) : undefined,
    auditTrustedKeys: env.TROVE_AUDIT_TRUSTED_KEYS?.trim() || undefined,
    sealEveryEvents: intFrom(env, 'TROVE_AUDIT_SEAL_EVERY_EVENTS', 1000, 1, 10_000_000),
    sealEveryMs: intFrom(env, 'TROVE_AUDIT_SEAL_EVERY_MS', 10_000, 100, 86_400_000),
    auditProofMaxEvents: intFrom(env, 'TROVE_AUDIT_PROOF_MAX_EVENTS', 5_000_000, 0, 100_000_000),
    sessionTtlMs: intFrom(env, 'TROVE_SESSION_HOURS', 12, 1, 24 * 90) * 3_600_000,
    streaming: streamingFrom(env),
    oidc: { allowInsecureIssuers: oneOf(env, 'TROVE_OIDC_ALLOW_INSECURE_ISSUERS', ['0', '1'] as const, '0') === '1' },
    checkResponseContracts: oneOf(env, 'TROVE_CHECK_RESPONSE_CONTRACTS', ['0', '1'] as const, '0') === '1',
    signInThrottle: {
      maxFailures: intFrom(env, 'TROVE_SIGN_IN_MAX_FAILURES', 10, 1, 10_000),
      windowMs: intFrom(env, 'TROVE_SIGN_IN_WINDOW_SECONDS', 600, 1, 86_400) * 1000,
    },
  };
}
