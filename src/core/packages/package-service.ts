import type { Db, Tx } from '../../storage/db/database.js';
import type { Project } from '../accounts/projects.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { AuditIntegrity } from '../audit/integrity/audit-integrity.js';
import { loadProjectScope } from '../audit/audit-scope.js';
import type { AuditContext, AuditScope } from '../audit/audit-types.js';
import { PackageWriter } from './package-writer.js';

export interface DeniedAttempt {
  format: string;
  name: string | null;
  version: string | null;
  reason: string;
  statusCode: number;
}

/**
 * The only write path for packages, files and tags (STYLE habit 2). Formats parse and
 * validate; `write` opens the transaction, and each PackageWriter operation stores the
 * change and records its audit event in that same transaction. Writes never delete blobs:
 * the blobs of deleted files, and of uploads whose transaction failed, are left to the blob
 * collector (blob-gc.ts), which alone can tell that no other upload still needs them.
 */
export class PackageService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    /** While its alarm is open, every write is refused (docs/architecture.md#tamper-evidence). */
    private readonly integrity?: AuditIntegrity,
    /** Whether a format may replace files (PackageFormat.replacesFiles, wired in app.ts); none may by default. */
    private readonly replacesFiles: (format: string) => boolean = () => false,
  ) {}

  async write<T>(ctx: AuditContext, project: Project, work: (writer: PackageWriter) => Promise<T>): Promise<T> {
    this.integrity?.assertPackageWritesAllowed();
    const scope = await loadProjectScope(this.db, project);
    return this.db.transaction().execute((tx) => this.writeWithScope(tx, ctx, project, scope, work));
  }

  /** The same inside a transaction the caller holds: deleting a group or project deletes every version in it. */
  async writeIn<T>(tx: Tx, ctx: AuditContext, project: Project, work: (writer: PackageWriter) => Promise<T>): Promise<T> {
    this.integrity?.assertPackageWritesAllowed();
    return this.writeWithScope(tx, ctx, project, await loadProjectScope(tx, project), work);
  }

  private async writeWithScope<T>(tx: Tx, ctx: AuditContext, project: Project, scope: AuditScope, work: (writer: PackageWriter) => Promise<T>): Promise<T> {
    const writer = new PackageWriter(tx, this.audit, ctx, project, scope, this.replacesFiles);
    const value = await work(writer);
    await writer.recordEvents();
    return value;
  }

  /** An authenticated publish or delete that was refused: recorded as publish_denied in its own transaction. */
  async recordDenied(ctx: AuditContext, project: Project, attempt: DeniedAttempt): Promise<void> {
    const scope = await loadProjectScope(this.db, project);
    const what = [attempt.name, attempt.version].filter(Boolean).join('@') || '(unknown package)';
    await this.audit.recordAlone(this.db, ctx, {
      eventName: 'package_registry_package_publish_denied',
      outcome: 'failure',
      reason: attempt.reason,
      scope,
      project: { id: project.id, full_path: project.full_path },
      package: attempt.name ? { id: null, format: attempt.format, name: attempt.name, version: attempt.version, files: [] } : null,
      target: { id: null, type: 'Packages::Package', details: `${project.full_path}/${what}` },
      customMessage: `${attempt.format} write refused (${attempt.statusCode}): ${attempt.reason}`,
    });
  }
}
