import type { FastifyInstance } from 'fastify';
import type { TroveConfig } from './config/config.js';
import { AuditLog } from './core/audit/audit-log.js';
import { bootstrapRoot, type BootstrapResult } from './core/accounts/bootstrap.js';
import { BLOB_GC_INTERVAL_MS, BLOB_GC_JOB_NAME, blobGcJob } from './core/packages/blob-gc.js';
import { PURGE_JOB_INTERVAL_MS, PURGE_JOB_NAME, purgeDeletedPackagesJob } from './core/packages/purge-job.js';
import { PackageService } from './core/packages/package-service.js';
import { RegisteringBlobStore } from './core/packages/pending-uploads.js';
import type { AppContext } from './http/app-context.js';
import { buildServer } from './http/server.js';
import { CachedBlobStore } from './storage/blobs/cached-blob-store.js';
import { createBlobStore } from './storage/blobs/create-blob-store.js';
import { InlineBlobStore } from './storage/blobs/inline-blob-store.js';
import { migrateToLatest, openDatabase } from './storage/db/database.js';
import { JobScheduler } from './core/jobs/job-scheduler.js';
import { AuditIndexer } from './core/audit/audit-indexer.js';
import { AuthenticationFailures } from './core/audit/authentication-failures.js';
import { AuditSealer, defaultOrigin } from './core/audit/audit-sealer.js';
import { AuditIntegrity } from './core/audit/integrity/audit-integrity.js';
import { FolderMirror } from './core/audit/mirror/folder-mirror.js';
import { extendTrust } from './core/audit/seal/key-rotation.js';
import type { NoteVerifierKey } from './core/audit/seal/signed-note.js';
import { listRotationStatements } from './core/audit/seal/signing-keys.js';
import { readPinnedKeys } from './core/audit/verify/pinned-keys.js';
import { DownloadEventWriter } from './core/audit/download-event-writer.js';
import { DownloadEventBuffer } from './core/audit/download-events.js';
import { jobTokenPurgeJob, OIDC_TOKEN_PURGE_JOB_NAME, oidcTokenPurgeJob } from './core/tokens/job-token-purge.js';
import { USED_JTI_PURGE_INTERVAL_MS, USED_JTI_PURGE_JOB_NAME, usedJtiPurgeJob } from './core/oidc/used-jtis.js';
import { CLEANUP_JOB_INTERVAL_MS, CLEANUP_JOB_NAME, cleanupPoliciesJob } from './core/cleanup/cleanup-job.js';
import { CleanupRunner } from './core/cleanup/cleanup-runner.js';
import { EXPIRATION_JOB_INTERVAL_MS, EXPIRATION_JOB_NAME, ExpirationRunner, expirationPoliciesJob } from './container-registry/governance/expiration-runner.js';
import { RegistryService } from './container-registry/registry-service.js';
import { createLogger } from './logger.js';
import { addressPolicyOf } from './core/audit/streaming/destination-address.js';
import { StreamingWorker } from './core/audit/streaming/delivery-worker.js';
import { formatNamed } from './formats/index.js';
import { IdTokenVerifier } from './core/oidc/id-token-verifier.js';

export interface Trove {
  ctx: AppContext;
  server: FastifyInstance;
  bootstrap: BootstrapResult | null;
  close(): Promise<void>;
}

/** Opens storage, migrates, bootstraps the root account on first start, and builds the HTTP server. */
export async function createTrove(config: TroveConfig): Promise<Trove> {
  const log = createLogger(config.logLevel);
  // First: an unreachable bucket stops the start early.
  const blobStore = await createBlobStore(config);
  const database = { sqliteFile: config.databaseFile, postgresUrl: config.databaseUrl };
  const db = openDatabase(database);
  await migrateToLatest(db);
  // Small files that arrive in memory (npm tarballs) are kept in the database: inline-blob-store.ts.
  // Every other upload is registered before its bytes are placed, for the blob collector: pending-uploads.ts.
  const uploads = new RegisteringBlobStore(blobStore, db);
  const blobs = new CachedBlobStore(new InlineBlobStore(uploads, db, config.inlineBlobMaxBytes), config.blobCacheBytes);
  const audit = new AuditLog({ package_audit_events: config.packageAuditEventsDefault, package_download_events: 'disabled' });
  // The self-check of docs/architecture.md#tamper-evidence, before anything is written: an open alarm refuses package writes.
  const integrity = new AuditIntegrity(db, audit, log, await pinnedKeysOf(config));
  await integrity.start();
  const packages = new PackageService(db, audit, integrity, (format) => formatNamed(format)?.replacesFiles === true);
  // Tick every second (the sealer polls that often); the lease is renewed on every tick.
  const jobs = new JobScheduler(db, log, { leaseTtlMs: config.jobLeaseMs, tickMs: Math.min(1000, Math.floor(config.jobLeaseMs / 4)) });
  const intervalOf = (name: string, fallback: number) => config.jobIntervals[name] ?? fallback;
  jobs.register(jobTokenPurgeJob(db, intervalOf('purge-expired-job-tokens', 60 * 60 * 1000)));
  jobs.register(oidcTokenPurgeJob(db, intervalOf(OIDC_TOKEN_PURGE_JOB_NAME, 60 * 60 * 1000)));
  jobs.register(usedJtiPurgeJob(db, intervalOf(USED_JTI_PURGE_JOB_NAME, USED_JTI_PURGE_INTERVAL_MS)));
  jobs.register(cleanupPoliciesJob(db, new CleanupRunner(db, packages, audit), intervalOf(CLEANUP_JOB_NAME, CLEANUP_JOB_INTERVAL_MS)));
  const containerCleanup = new ExpirationRunner(db, new RegistryService(db, audit, integrity), audit);
  jobs.register(expirationPoliciesJob(db, containerCleanup, intervalOf(EXPIRATION_JOB_NAME, EXPIRATION_JOB_INTERVAL_MS)));
  jobs.register(purgeDeletedPackagesJob(db, packages, config.restoreWindowMs, intervalOf(PURGE_JOB_NAME, PURGE_JOB_INTERVAL_MS)));
  jobs.register(blobGcJob(db, blobStore, config.blobGcGraceMs, intervalOf(BLOB_GC_JOB_NAME, BLOB_GC_INTERVAL_MS)));
  const sealer = new AuditSealer(db, {
    origin: config.auditOrigin ?? defaultOrigin(config.baseUrl),
    keyDir: config.auditKeyDir,
    everyEvents: config.sealEveryEvents,
    everyMs: config.sealEveryMs,
  }, { integrity, audit, mirror: config.auditCheckpointMirrorDir ? new FolderMirror(db, config.auditCheckpointMirrorDir, log) : null });
  jobs.register(sealer.job());
  const mirrorJob = sealer.mirrorJob();
  if (mirrorJob) jobs.register(mirrorJob);
  await sealer.signingKey(); // made on the first start, in the data folder (mode 0600), outside the database
  // Download events are written in batches (every 250 ms or 1000 events) on a thread of their own, flushed by close().
  const downloadEventWriter = new DownloadEventWriter({ database, defaults: audit.instanceDefaults }, () => audit.outboxSignal.notify());
  const downloadEvents = new DownloadEventBuffer(db, audit, downloadEventWriter, log);
  // Delivers the audit streaming outbox in the process that leads the scheduler (started by main.ts).
  const streaming = new StreamingWorker(db, audit, log, config.streaming, addressPolicyOf(config), config.jobLeaseMs);
  jobs.register(streaming.leaderJob());
  // SQLite: audit events written by package writes join the filter indexes in batches (started by main.ts).
  const auditIndexer = new AuditIndexer(db, log);
  const authenticationFailures = new AuthenticationFailures(db, audit);
  jobs.register(authenticationFailures.job(intervalOf('flush-authentication-failures', 10_000)));
  // Issuers' keys are fetched under the SSRF policy of streaming destinations (TROVE_OIDC_ALLOW_INSECURE_ISSUERS admits loopback).
  const idTokenVerifier = new IdTokenVerifier({ addressPolicy: addressPolicyOf(config), allowInsecureIssuers: config.oidc.allowInsecureIssuers });
  const ctx: AppContext = { config, db, blobs, audit, packages, jobs, sealer, integrity, downloadEvents, streaming, auditIndexer, authenticationFailures, idTokenVerifier };
  const bootstrap = await bootstrapRoot(db, audit, { rootPassword: config.rootPassword, rootToken: config.rootToken });
  const server = await buildServer(ctx, log);
  return {
    ctx,
    server,
    bootstrap,
    async close() {
      try {
        // Delivery first: it must stop before the scheduler lease it relies on is given up.
        await streaming.stop();
        await jobs.stop();
        // Waits for the requests in flight: a download that completes now queues its event ...
        await server.close();
        // ... and every queued download event is written before the database closes (docs/architecture.md#the-one-write-path).
        await downloadEvents.close();
        // Repeated authentication failures counted but not yet recorded are recorded now.
        await authenticationFailures.flush(true);
        await auditIndexer.stop();
      } finally {
        integrity.stop();
        await db.destroy();
      }
    },
  };
}

/**
 * TROVE_AUDIT_TRUSTED_KEYS for the self-check: read once at start (a bad value stops the start),
 * extended on each check by the key folder's rotation statements that a pinned key signed.
 */
async function pinnedKeysOf(config: TroveConfig): Promise<(() => Promise<NoteVerifierKey[]>) | null> {
  if (!config.auditTrustedKeys) return null;
  const pinned = await readPinnedKeys([], config.auditTrustedKeys, [config.dataDir, config.auditKeyDir]);
  if (pinned.keys.length === 0) throw new Error('TROVE_AUDIT_TRUSTED_KEYS holds no verifier key');
  return async () => extendTrust(pinned.keys, await listRotationStatements(config.auditKeyDir)).keys;
}
