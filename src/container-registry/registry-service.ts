import type { Db } from '../storage/db/database.js';
import type { AuditLog } from '../core/audit/audit-log.js';
import { loadProjectScope } from '../core/audit/audit-scope.js';
import type { AuditContext } from '../core/audit/audit-types.js';
import type { AuditIntegrity } from '../core/audit/integrity/audit-integrity.js';
import type { RepositoryLocation } from './repository-names.js';
import { RegistryWriter } from './registry-writer.js';

export interface DeniedRegistryWrite {
  /** What the client tried to change: `<name>:<tag>`, `<name>@<digest>` or the repository name. */
  target: string;
  reason: string;
  statusCode: number;
}

/**
 * The only write path of the container registry, as PackageService is for packages: `write` opens
 * the transaction, the RegistryWriter changes rows and collects events, and the events are
 * recorded in that transaction before it commits. Writes never delete bytes: the blob collector
 * (src/core/packages/blob-gc.ts) does, once nothing references them.
 */
export class RegistryService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly integrity?: AuditIntegrity,
  ) {}

  async write<T>(ctx: AuditContext, location: RepositoryLocation, work: (writer: RegistryWriter) => Promise<T>): Promise<T> {
    this.integrity?.assertPackageWritesAllowed();
    const scope = await loadProjectScope(this.db, location.project);
    return this.db.transaction().execute(async (tx) => {
      const writer = new RegistryWriter(tx, ctx, location, scope);
      const value = await work(writer);
      await writer.recordEvents(this.audit);
      return value;
    });
  }

  /** An authenticated push or delete that was refused: container_registry_push_denied, in its own transaction. */
  async recordDenied(ctx: AuditContext, location: RepositoryLocation, attempt: DeniedRegistryWrite): Promise<void> {
    const scope = await loadProjectScope(this.db, location.project);
    await this.audit.recordAlone(this.db, ctx, {
      eventName: 'container_registry_push_denied',
      outcome: 'failure',
      reason: attempt.reason,
      scope,
      project: { id: location.project.id, full_path: location.project.full_path },
      package: { id: null, format: 'container', name: location.name, version: null, files: [] },
      target: { id: null, type: 'ContainerRepository', details: attempt.target },
      customMessage: `container registry write refused (${attempt.statusCode}): ${attempt.reason}`,
    });
  }
}
