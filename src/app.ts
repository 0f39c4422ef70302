import type { FastifyInstance } from 'fastify';
import type { TroveConfig } from './config/config.js';
import { AuditLog } from './core/audit/audit-log.js';
import { bootstrapRoot, type BootstrapResult } from './core/accounts/bootstrap.js';
import { PackageService } from './core/packages/package-service.js';
import type { AppContext } from './http/app-context.js';
import { buildServer } from './http/server.js';
import { FsBlobStore } from './storage/blobs/fs/fs-blob-store.js';
import { migrateToLatest, openDatabase } from './storage/db/database.js';

export interface Trove {
  ctx: AppContext;
  server: FastifyInstance;
  bootstrap: BootstrapResult | null;
  close(): Promise<void>;
}

/** Opens storage, migrates, bootstraps the root account on first start, and builds the HTTP server. */
export async function createTrove(config: TroveConfig): Promise<Trove> {
  const db = openDatabase({ sqliteFile: config.databaseFile, postgresUrl: config.databaseUrl });
  await migrateToLatest(db);
  const blobs = new FsBlobStore(config.blobDir);
  const audit = new AuditLog({ package_audit_events: config.packageAuditEventsDefault, package_download_events: 'disabled' });
  const packages = new PackageService(db, blobs, audit);
  const ctx: AppContext = { config, db, blobs, audit, packages };
  const bootstrap = await bootstrapRoot(db, audit, { rootPassword: config.rootPassword, rootToken: config.rootToken });
  const server = await buildServer(ctx);
  return {
    ctx,
    server,
    bootstrap,
    async close() {
      await server.close();
      await db.destroy();
    },
  };
}
