import type { Tx } from '../../storage/db/database.js';
import type { StoredBlob } from '../../storage/blobs/blob-store.js';
import { isInlineBlob, storeInlineBlob } from '../../storage/blobs/inline-blob-store.js';
import type { Project } from '../accounts/projects.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { AuditContext, AuditEventInput, AuditScope, Changes } from '../audit/audit-types.js';
import type { AuditEventName } from '../audit/event-catalog.js';
import { nowIso } from '../clock.js';
import { errors } from '../errors.js';
import { assertNotHeld } from './legal-hold/legal-hold-guard.js';
import { ProtectionGuard } from './protection/protection-guard.js';
import { provenanceRef, type ProvenanceDocument, type ProvenanceRef } from './provenance.js';
import { filesOf, findPackageVersion, packageRef, type PackageFileRow, type PackageRow, type PublishedBy } from './packages.js';
import { settleUpload } from './pending-uploads.js';

type PackageEventName = Extract<AuditEventName, `package_registry_package_${string}`>;

export interface NewFile {
  fileName: string;
  blob: StoredBlob;
  /** Format-specific facts about this one file (PyPI: filetype, requires_python). */
  metadata?: unknown;
  /** Checked provenance documents published with the file (provenance.ts), stored beside it. */
  provenance?: ProvenanceDocument[];
}

export interface NewVersion {
  format: string;
  name: string;
  normalizedName: string;
  version: string;
  metadata: unknown;
  status?: PackageRow['status'];
  files: NewFile[];
}

/**
 * Operations available inside PackageService.write; each adds its audit event, and the service
 * records them all (recordEvents) in the same transaction before it commits.
 */
export class PackageWriter {
  /**
   * The events of this write, in order. Recorded together: one setting lookup, one append lock
   * and one insert for a publish's published + tag events instead of one of each per event.
   */
  private readonly events: AuditEventInput[] = [];
  /** Package protection rules: every operation below asks it first (push or delete). */
  private readonly protection: ProtectionGuard;

  constructor(
    private readonly tx: Tx,
    private readonly audit: AuditLog,
    private readonly ctx: AuditContext,
    private readonly project: Project,
    private readonly scope: AuditScope,
    private readonly replacesFiles: (format: string) => boolean = () => false,
  ) {
    this.protection = new ProtectionGuard(tx, ctx.actor, project);
  }

  private publishedBy(at: string): string {
    const by: PublishedBy = { actor: this.ctx.actor, via: this.ctx.via, client: this.ctx.client, pipeline: this.ctx.pipeline, at };
    return JSON.stringify(by);
  }

  private targetDetails(pkg: { name: string; version: string }): string {
    return `${this.project.full_path}/${pkg.name}-${pkg.version}`;
  }

  /** Records the events this write added (PackageService.write calls it last, inside the transaction). */
  async recordEvents(): Promise<void> {
    await this.audit.recordBatch(
      this.tx,
      this.events.splice(0).map((input) => ({ ctx: this.ctx, input })),
    );
  }

  private event(
    eventName: PackageEventName,
    pkg: PackageRow,
    files: PackageFileRow[],
    customMessage: string,
    changes: Changes | null = null,
    reason?: string,
    provenance: ProvenanceRef[] = [],
  ): void {
    this.events.push({
      ...(provenance.length > 0 ? { provenance } : {}),
      eventName,
      reason,
      scope: this.scope,
      project: { id: this.project.id, full_path: this.project.full_path },
      package: packageRef(pkg, files),
      target: { id: pkg.id, type: 'Packages::Package', details: this.targetDetails(pkg) },
      customMessage,
      changes,
    });
  }

  private async insertFile(pkg: PackageRow, file: NewFile, at: string): Promise<PackageFileRow> {
    await settleUpload(this.tx, file.blob);
    if (isInlineBlob(file.blob)) await storeInlineBlob(this.tx, file.blob);
    const row = await this.tx
      .insertInto('package_files')
      .values({
        package_id: pkg.id,
        file_name: file.fileName,
        size: file.blob.size,
        sha256: file.blob.sha256,
        sha1: file.blob.sha1,
        md5: file.blob.md5,
        sha512: file.blob.sha512,
        created_by: this.publishedBy(at),
        created_at: at,
        metadata: file.metadata === undefined ? null : JSON.stringify(file.metadata),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await this.insertProvenance(row, file.provenance ?? [], at);
    return row;
  }

  private async insertProvenance(file: PackageFileRow, documents: ProvenanceDocument[], at: string): Promise<void> {
    if (documents.length === 0) return;
    await this.tx
      .insertInto('package_file_provenance')
      .values(
        documents.map((doc) => ({
          package_file_id: file.id,
          kind: doc.kind,
          media_type: doc.mediaType,
          document: doc.text,
          sha256: doc.sha256,
          predicate_type: doc.predicateType,
          subjects: JSON.stringify(doc.subjects),
          created_at: at,
        })),
      )
      .execute();
  }

  /** What the publish event records of the files' provenance documents (details.provenance). */
  private static provenanceRefs(files: NewFile[]): ProvenanceRef[] {
    return files.flatMap((file) => (file.provenance ?? []).map((doc) => provenanceRef(file.fileName, doc)));
  }

  /** A new version with its first file(s): `package_published`. */
  async createVersion(input: NewVersion): Promise<PackageRow> {
    await this.protection.check('push', { format: input.format, name: input.name, normalized_name: input.normalizedName, version: input.version });
    const at = nowIso();
    const inserted = await this.tx
      .insertInto('packages')
      .values({
        project_id: this.project.id,
        format: input.format,
        name: input.name,
        normalized_name: input.normalizedName,
        version: input.version,
        status: input.status ?? 'default',
        metadata: JSON.stringify(input.metadata),
        published_by: this.publishedBy(at),
        created_at: at,
        updated_at: at,
      })
      .onConflict((conflict) => conflict.doNothing())
      .returningAll()
      .executeTakeFirst();
    const pkg = inserted ?? (await this.refuseTakenVersion(input));
    const files: PackageFileRow[] = [];
    for (const file of input.files) files.push(await this.insertFile(pkg, file, at));
    this.event('package_registry_package_published', pkg, files, `${input.format} package published`, null, undefined, PackageWriter.provenanceRefs(input.files));
    return pkg;
  }

  /**
   * The version's name and version are taken: by a deleted version, which keeps them until purged
   * (a clear refusal), or by a concurrent publish of the same version. Asked only when the insert
   * found them taken, so that a publish costs no lookup of its own.
   */
  private async refuseTakenVersion(input: NewVersion): Promise<never> {
    const taken = await findPackageVersion(this.tx, this.project.id, input.format, input.normalizedName, input.version);
    if (taken) this.assertNotDeleted(taken);
    throw errors.conflict('Conflict: a concurrent request created the same resource');
  }

  /** Another file for an existing version (a second wheel, a jar next to a pom): `package_file_added`. */
  async addFile(pkg: PackageRow, file: NewFile): Promise<PackageFileRow> {
    this.assertNotDeleted(pkg);
    await this.protection.check('push', pkg);
    const at = nowIso();
    const row = await this.insertFile(pkg, file, at);
    await this.tx.updateTable('packages').set({ updated_at: at }).where('id', '=', pkg.id).execute();
    this.event('package_registry_package_file_added', pkg, [row], `${pkg.format} package file added`, null, undefined, PackageWriter.provenanceRefs([file]));
    return row;
  }

  /**
   * New bytes under an existing file's name (Maven metadata and SNAPSHOTs; generic files where the
   * namespace allows duplicates): `package_file_replaced`, or `package_metadata_updated` when the
   * file is one of the format's metadata documents (Maven's SNAPSHOT maven-metadata.xml, which the
   * client rewrites on every deploy); the changes name the old and new digests. The row keeps its id
   * and takes the new blob; the old blob, now needed by no row, is the blob collector's to delete,
   * as after a file delete.
   */
  async replaceFile(pkg: PackageRow, file: PackageFileRow, blob: StoredBlob, kind: 'file' | 'metadata' = 'file'): Promise<PackageFileRow> {
    // A format that does not declare it never rewrites bytes an audit event already names.
    if (!this.replacesFiles(pkg.format)) throw new Error(`${pkg.format} does not declare replacesFiles: its files cannot be replaced`);
    this.assertNotDeleted(pkg);
    await assertNotHeld(this.tx, pkg, 'changed');
    await this.protection.check('push', pkg);
    const at = nowIso();
    await settleUpload(this.tx, blob);
    if (isInlineBlob(blob)) await storeInlineBlob(this.tx, blob);
    const row = await this.tx
      .updateTable('package_files')
      .set({
        size: blob.size,
        sha256: blob.sha256,
        sha1: blob.sha1,
        md5: blob.md5,
        sha512: blob.sha512,
        created_by: this.publishedBy(at),
        created_at: at,
      })
      .where('id', '=', file.id)
      .where('package_id', '=', pkg.id)
      .where('sha256', '=', file.sha256)
      .returningAll()
      .executeTakeFirst();
    // Deleted or replaced since the caller read it: the client retries, as after a concurrent upload.
    if (!row) throw errors.conflict(`${file.file_name} changed while it was being replaced`);
    await this.tx.updateTable('packages').set({ updated_at: at }).where('id', '=', pkg.id).execute();
    const metadataDocument = kind === 'metadata';
    const eventName: PackageEventName = metadataDocument ? 'package_registry_package_metadata_updated' : 'package_registry_package_file_replaced';
    const message = metadataDocument ? `${pkg.format} package metadata ${file.file_name} updated` : `${pkg.format} package file replaced`;
    this.event(eventName, pkg, [row], message, {
      sha256: { from: file.sha256, to: row.sha256 },
      size: { from: Number(file.size), to: Number(row.size) },
    });
    return row;
  }

  /** Moves a version between default and hidden (generic uploads with ?status=): `metadata_updated` with before/after. */
  async setStatus(pkg: PackageRow, status: PackageRow['status']): Promise<void> {
    this.assertNotDeleted(pkg);
    if (pkg.status === status) return;
    await this.protection.check('push', pkg);
    await this.tx.updateTable('packages').set({ status, updated_at: nowIso() }).where('id', '=', pkg.id).execute();
    this.event('package_registry_package_metadata_updated', { ...pkg, status }, [], `${pkg.format} package status set to ${status}`, {
      status: { from: pkg.status, to: status },
    });
  }

  async deleteFile(pkg: PackageRow, file: PackageFileRow): Promise<void> {
    this.assertNotDeleted(pkg);
    await assertNotHeld(this.tx, pkg, 'changed');
    await this.protection.check('delete', pkg);
    await this.tx.deleteFrom('package_file_provenance').where('package_file_id', '=', file.id).execute();
    await this.tx.deleteFrom('package_files').where('id', '=', file.id).execute();
    this.event('package_registry_package_file_deleted', pkg, [file], `${pkg.format} package file deleted`);
  }

  /**
   * Deletes a version softly: it gets status pending_destruction with who deleted it and when, and
   * disappears from every client read and listing at once; its files (and so their blobs) stay
   * until the purge job (purge-job.ts) removes them after TROVE_RESTORE_DAYS, or a restore brings
   * it back. The tags pointing at it are removed (each its own event) and remembered for the
   * restore. `reason` is the event's reason field (a cleanup policy names its rule).
   */
  async deleteVersion(pkg: PackageRow, message?: string, reason?: string): Promise<void> {
    await assertNotHeld(this.tx, pkg, 'deleted');
    await this.protection.check('delete', pkg);
    if (pkg.status === 'pending_destruction') throw errors.notFound('404 Package Not Found');
    const files = await filesOf(this.tx, [pkg.id]);
    const tags = await this.tx.selectFrom('package_tags').selectAll().where('package_id', '=', pkg.id).orderBy('tag').execute();
    for (const tag of tags) await this.removeTag(pkg.format, pkg.normalized_name, tag.tag);
    const at = nowIso();
    await this.tx
      .updateTable('packages')
      .set({ status: 'pending_destruction', deleted_at: at, deleted_by: this.publishedBy(at), deleted_tags: JSON.stringify(tags.map((t) => t.tag)), updated_at: at })
      .where('id', '=', pkg.id)
      .execute();
    this.event('package_registry_package_deleted', pkg, files, message ?? `${pkg.format} package deleted`, null, reason);
  }

  /**
   * Brings a soft-deleted version back as it was: the same row, files, bytes and published_by,
   * the status it had before (default), and each tag it lost with the delete that no other
   * version has taken since (a tag moved on stays where it is). A restore is a push for the
   * protection rules. `package_restored`, then a `tag_created` per tag put back.
   */
  async restoreVersion(pkg: PackageRow): Promise<void> {
    if (pkg.status !== 'pending_destruction') throw errors.notFound('404 Deleted package not found');
    await this.protection.check('push', pkg);
    const at = nowIso();
    await this.tx
      .updateTable('packages')
      .set({ status: 'default', deleted_at: null, deleted_by: null, deleted_tags: null, updated_at: at })
      .where('id', '=', pkg.id)
      .execute();
    const restored: PackageRow = { ...pkg, status: 'default', deleted_at: null, deleted_by: null, deleted_tags: null, updated_at: at };
    this.event('package_registry_package_restored', restored, await filesOf(this.tx, [pkg.id]), `${pkg.format} package restored`, {
      status: { from: 'pending_destruction', to: 'default' },
      deleted_at: { from: pkg.deleted_at, to: null },
    });
    for (const tag of JSON.parse(pkg.deleted_tags ?? '[]') as string[]) {
      const taken = await this.tx
        .selectFrom('package_tags')
        .select('id')
        .where('project_id', '=', this.project.id)
        .where('format', '=', pkg.format)
        .where('normalized_name', '=', pkg.normalized_name)
        .where('tag', '=', tag)
        .executeTakeFirst();
      if (!taken) await this.setTag(restored, tag);
    }
  }

  /**
   * Removes a soft-deleted version for good: its files' rows and its own (the blob collector may
   * then reclaim the bytes no other file needs). A legal hold stops it as it stops a delete.
   * `package_purged`, with the files it removed.
   */
  async purgeVersion(pkg: PackageRow, message: string, reason?: string): Promise<void> {
    if (pkg.status !== 'pending_destruction') throw new Error(`${pkg.name}@${pkg.version} is not deleted: only deleted versions are purged`);
    await assertNotHeld(this.tx, pkg, 'deleted');
    const files = await filesOf(this.tx, [pkg.id]);
    if (files.length > 0) await this.tx.deleteFrom('package_file_provenance').where('package_file_id', 'in', files.map((f) => f.id)).execute();
    await this.tx.deleteFrom('package_files').where('package_id', '=', pkg.id).execute();
    await this.tx.deleteFrom('packages').where('id', '=', pkg.id).execute();
    this.event('package_registry_package_purged', pkg, files, message, null, reason);
  }

  /**
   * Purges a deleted version on request, before its restore window ends (a leaked secret must not
   * wait 30 days): a delete for the protection rules, stopped by a legal hold as the job is.
   * `reason` is the requester's, recorded with the event.
   */
  async purgeDeletedVersion(pkg: PackageRow, reason: string | null): Promise<void> {
    if (pkg.status !== 'pending_destruction') throw errors.notFound('404 Deleted package not found');
    await this.protection.check('delete', pkg);
    await this.purgeVersion(pkg, `${pkg.format} package purged`, reason ?? 'purged on request before its restore window ended');
  }

  /** The version with this id as this transaction sees it (the purge job's re-read), or undefined. */
  async currentVersion(id: number): Promise<PackageRow | undefined> {
    return this.tx.selectFrom('packages').selectAll().where('id', '=', id).where('project_id', '=', this.project.id).executeTakeFirst();
  }

  /** Refuses a change to a soft-deleted version: it is restored first (or purged, and then published anew). */
  private assertNotDeleted(pkg: PackageRow): void {
    if (pkg.status !== 'pending_destruction') return;
    throw errors.conflict(
      `${pkg.name}@${pkg.version} was deleted on ${pkg.deleted_at}: restore it (POST /api/v4/projects/${pkg.project_id}/packages/${pkg.id}/restore) or publish another version`,
    );
  }

  /** Points `tag` at `pkg`: `tag_created`, `tag_updated` (with the old version), or nothing if unchanged. */
  async setTag(pkg: PackageRow, tag: string): Promise<void> {
    this.assertNotDeleted(pkg);
    await this.protection.check('push', pkg);
    const at = nowIso();
    // The tag with the version it points at now (the event's `from`), in one query.
    const existing = await this.tx
      .selectFrom('package_tags')
      .leftJoin('packages', 'packages.id', 'package_tags.package_id')
      .select(['package_tags.id', 'package_tags.package_id', 'packages.version as previous_version'])
      .where('package_tags.project_id', '=', this.project.id)
      .where('package_tags.format', '=', pkg.format)
      .where('package_tags.normalized_name', '=', pkg.normalized_name)
      .where('package_tags.tag', '=', tag)
      .executeTakeFirst();
    if (existing?.package_id === pkg.id) return;
    const previousVersion = existing?.previous_version ?? null;
    if (existing) {
      await this.tx.updateTable('package_tags').set({ package_id: pkg.id, updated_at: at }).where('id', '=', existing.id).execute();
    } else {
      await this.tx
        .insertInto('package_tags')
        .values({ project_id: this.project.id, format: pkg.format, normalized_name: pkg.normalized_name, tag, package_id: pkg.id, created_at: at, updated_at: at })
        .execute();
    }
    this.tagEvent(existing ? 'package_registry_package_tag_updated' : 'package_registry_package_tag_created', pkg, tag, {
      [tag]: { from: previousVersion, to: pkg.version },
    });
  }

  /** Removes a tag: `tag_deleted`; a missing tag is a 404. */
  async removeTag(format: string, normalizedName: string, tag: string): Promise<void> {
    const existing = await this.tx
      .selectFrom('package_tags')
      .selectAll()
      .where('project_id', '=', this.project.id)
      .where('format', '=', format)
      .where('normalized_name', '=', normalizedName)
      .where('tag', '=', tag)
      .executeTakeFirst();
    if (!existing) throw errors.notFound(`Tag "${tag}" not found`);
    const pkg = await this.tx.selectFrom('packages').selectAll().where('id', '=', existing.package_id).executeTakeFirstOrThrow();
    await this.protection.check('delete', pkg);
    await this.tx.deleteFrom('package_tags').where('id', '=', existing.id).execute();
    this.tagEvent('package_registry_package_tag_deleted', pkg, tag, { [tag]: { from: pkg.version, to: null } });
  }

  private tagEvent(eventName: PackageEventName, pkg: PackageRow, tag: string, changes: Changes): void {
    this.events.push({
      eventName,
      scope: this.scope,
      project: { id: this.project.id, full_path: this.project.full_path },
      package: packageRef(pkg, []),
      target: { id: pkg.id, type: 'Packages::Tag', details: `${this.project.full_path}/${pkg.name}@${tag}` },
      customMessage: `${pkg.format} tag "${tag}" ${eventName.endsWith('deleted') ? 'removed' : `set to ${pkg.version}`}`,
      changes,
    });
  }

  /**
   * Yanks a version or takes the yank back (cargo yank, --undo): a yanked version stays
   * downloadable for the lockfiles that name it but is offered to no new resolution. Kept as
   * `yanked` in the version's metadata; for the protection rules a yank is a delete, and its undo
   * a push (as a restore is).
   */
  async setYanked(pkg: PackageRow, yanked: boolean): Promise<void> {
    this.assertNotDeleted(pkg);
    await this.protection.check(yanked ? 'delete' : 'push', pkg);
    const metadata = JSON.parse(pkg.metadata) as Record<string, unknown>;
    const previous = metadata.yanked === true;
    if (previous === yanked) return;
    if (yanked) metadata.yanked = true;
    else delete metadata.yanked;
    const changed: PackageRow = { ...pkg, metadata: JSON.stringify(metadata), updated_at: nowIso() };
    await this.tx.updateTable('packages').set({ metadata: changed.metadata, updated_at: changed.updated_at }).where('id', '=', pkg.id).execute();
    this.event('package_registry_package_metadata_updated', changed, [], `${pkg.format} package ${yanked ? 'yanked' : 'unyanked'}`, { yanked: { from: previous, to: yanked } });
  }

  /** Sets or clears a deprecation message kept in the version's metadata (npm deprecate). */
  async setDeprecation(pkg: PackageRow, message: string | null): Promise<void> {
    this.assertNotDeleted(pkg);
    await this.protection.check('push', pkg);
    const metadata = JSON.parse(pkg.metadata) as Record<string, unknown>;
    const previous = typeof metadata.deprecated === 'string' && metadata.deprecated !== '' ? metadata.deprecated : null;
    if (previous === message) return;
    if (message === null) delete metadata.deprecated;
    else metadata.deprecated = message;
    await this.tx.updateTable('packages').set({ metadata: JSON.stringify(metadata), updated_at: nowIso() }).where('id', '=', pkg.id).execute();
    this.event(
      message === null ? 'package_registry_package_undeprecated' : 'package_registry_package_deprecated',
      pkg,
      [],
      message === null ? `${pkg.format} package undeprecated` : `${pkg.format} package deprecated: ${message}`,
      { deprecated: { from: previous, to: message } },
    );
  }
}
