import type { TroveConfig } from '../config/config.js';
import type { AuditLog } from '../core/audit/audit-log.js';
import type { AuditIndexer } from '../core/audit/audit-indexer.js';
import type { AuthenticationFailures } from '../core/audit/authentication-failures.js';
import type { AuditSealer } from '../core/audit/audit-sealer.js';
import type { AuditIntegrity } from '../core/audit/integrity/audit-integrity.js';
import type { DownloadEventBuffer } from '../core/audit/download-events.js';
import type { StreamingWorker } from '../core/audit/streaming/delivery-worker.js';
import type { JobScheduler } from '../core/jobs/job-scheduler.js';
import type { IdTokenVerifier } from '../core/oidc/id-token-verifier.js';
import type { PackageService } from '../core/packages/package-service.js';
import type { CachedBlobStore } from '../storage/blobs/cached-blob-store.js';
import type { Db } from '../storage/db/database.js';

/** Everything a route needs, built once in app.ts and handed to each route module. */
export interface AppContext {
  config: TroveConfig;
  db: Db;
  /** The blob store, with small downloaded files cached in memory. */
  blobs: CachedBlobStore;
  audit: AuditLog;
  packages: PackageService;
  /** Background jobs, run by whichever Trove process leads (src/core/jobs). */
  jobs: JobScheduler;
  /** Seals the audit log into signed checkpoints (docs/architecture.md#tamper-evidence). */
  sealer: AuditSealer;
  /** The audit log's self-check and its alarm (docs/architecture.md#tamper-evidence). */
  integrity: AuditIntegrity;
  /** Batches package_registry_package_downloaded events (src/core/audit/download-events.ts). */
  downloadEvents: DownloadEventBuffer;
  /** Delivers audit events to streaming destinations (src/core/audit/streaming). */
  streaming: StreamingWorker;
  /** SQLite: brings the audit filter indexes up to date in batches (src/core/audit/audit-indexer.ts). */
  auditIndexer: AuditIndexer;
  /** Records authentication_failed, repeated identical failures as one event a minute (docs/architecture.md#what-is-recorded). */
  authenticationFailures: AuthenticationFailures;
  /** Verifies the OIDC ID tokens of trusted publishing; one per process, for its cache of issuers' keys. */
  idTokenVerifier: IdTokenVerifier;
}
