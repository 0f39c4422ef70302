import type { ContentBlob, StoredBlob } from '../storage/blobs/blob-store.js';
import { isInlineBlob, storeInlineBlob } from '../storage/blobs/inline-blob-store.js';
import type { Tx } from '../storage/db/database.js';
import type { AuditLog } from '../core/audit/audit-log.js';
import type { AuditContext, AuditEventInput, AuditScope, Changes, PackageRef } from '../core/audit/audit-types.js';
import type { AuditEventName } from '../core/audit/event-catalog.js';
import { nowIso } from '../core/clock.js';
import type { PublishedBy } from '../core/packages/packages.js';
import { settleUpload } from '../core/packages/pending-uploads.js';
import { endUpload } from './blob-uploads.js';
import { TagProtectionGuard } from './governance/tag-rules.js';
import { sha256Of } from './digests.js';
import type { ParsedManifest } from './manifests.js';
import { ociError } from './oci-errors.js';
import { findBlobLink, findManifest, findRepository, type ContainerManifestRow, type ContainerRepositoryRow } from './registry-reads.js';
import type { RepositoryLocation } from './repository-names.js';

type RegistryEventName = Extract<AuditEventName, `container_registry_${string}`>;

export interface NewManifest {
  digest: string;
  /** The manifest's bytes as stored in the blob store. */
  blob: StoredBlob;
  parsed: ParsedManifest;
  tag: string | null;
}

/**
 * Every change to a container repository, inside one transaction that RegistryService.write opens
 * and that records the events this writer collected before it commits. This is the one place a
 * tag changes: tag protection and immutability belong here.
 */
export class RegistryWriter {
  private readonly events: AuditEventInput[] = [];
  private repository: ContainerRepositoryRow | undefined;
  /** Protected and immutable tag rules: asked before every tag write and delete below. */
  private readonly tagRules: TagProtectionGuard;

  constructor(
    private readonly tx: Tx,
    private readonly ctx: AuditContext,
    private readonly location: RepositoryLocation,
    private readonly scope: AuditScope,
  ) {
    this.tagRules = new TagProtectionGuard(tx, ctx.actor, location.project);
  }

  private stamp(at: string): string {
    const by: PublishedBy = { actor: this.ctx.actor, via: this.ctx.via, client: this.ctx.client, pipeline: this.ctx.pipeline, at };
    return JSON.stringify(by);
  }

  async recordEvents(audit: AuditLog): Promise<void> {
    await audit.recordBatch(this.tx, this.events.splice(0).map((input) => ({ ctx: this.ctx, input })));
  }

  /**
   * `package` names the repository (format "container"), the tag (or digest) as version and the
   * manifest as its one file, so the audit log's package filters find images too.
   */
  private event(eventName: RegistryEventName, repository: ContainerRepositoryRow, manifest: Pick<ContainerManifestRow, 'id' | 'digest' | 'size'> | null, tag: string | null, message: string, changes: Changes | null = null): void {
    const pkg: PackageRef = {
      id: repository.id,
      format: 'container',
      name: repository.name,
      version: tag ?? manifest?.digest ?? null,
      files: manifest ? [{ file_name: manifest.digest, size: Number(manifest.size), sha256: sha256Of(manifest.digest) }] : [],
    };
    const details = tag ? `${repository.name}:${tag}` : manifest ? `${repository.name}@${manifest.digest}` : repository.name;
    this.events.push({
      eventName,
      scope: this.scope,
      project: { id: this.location.project.id, full_path: this.location.project.full_path },
      package: pkg,
      target: { id: manifest?.id ?? repository.id, type: manifest ? 'ContainerRegistry::Manifest' : 'ContainerRepository', details },
      customMessage: message,
      changes,
    });
  }

  /** The repository, created (and audited) by its first push. */
  async ensureRepository(): Promise<ContainerRepositoryRow> {
    if (this.repository) return this.repository;
    const existing = await findRepository(this.tx, this.location.name);
    if (existing) return (this.repository = existing);
    const at = nowIso();
    // skopeo uploads layers in parallel: on PostgreSQL the first pushes of a new repository race
    // here, and the one that loses waits for the winner's commit and takes its row (no second event).
    const created = await this.tx
      .insertInto('container_repositories')
      .values({ project_id: this.location.project.id, name: this.location.name, created_at: at, created_by: this.stamp(at) })
      .onConflict((oc) => oc.column('name').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!created) return (this.repository = (await findRepository(this.tx, this.location.name))!);
    this.event('container_registry_repository_created', created, null, null, `container repository ${created.name} created`);
    return (this.repository = created);
  }

  /**
   * Makes a blob stored (or found already stored) under its sha256 part of the repository (an
   * upload's end, a monolithic upload, a mount); the upload it completes, if any, ends in the
   * same transaction.
   */
  async linkBlob(digest: string, blob: ContentBlob, completedUpload?: string): Promise<void> {
    const repository = await this.ensureRepository();
    await settleUpload(this.tx, blob);
    if (isInlineBlob(blob)) await storeInlineBlob(this.tx, blob);
    await this.tx
      .insertInto('container_repository_blobs')
      .values({ repository_id: repository.id, digest, blob_sha256: blob.sha256, size: blob.size, linked_at: nowIso() })
      .onConflict((oc) => oc.columns(['repository_id', 'digest']).doNothing())
      .execute();
    if (completedUpload !== undefined) await endUpload(this.tx, completedUpload);
  }

  /** Blob DELETE: the repository no longer offers the blob (manifests that name it keep its bytes). */
  async unlinkBlob(repository: ContainerRepositoryRow, digest: string): Promise<void> {
    const removed = await this.tx.deleteFrom('container_repository_blobs').where('repository_id', '=', repository.id).where('digest', '=', digest).executeTakeFirst();
    if (Number(removed.numDeletedRows) === 0) throw ociError('BLOB_UNKNOWN', 'blob unknown to registry');
  }

  /** Manifest PUT: stores the manifest unless the repository has it already, then points the tag at it. */
  async pushManifest(input: NewManifest): Promise<ContainerManifestRow> {
    const repository = await this.ensureRepository();
    let manifest = await findManifest(this.tx, repository.id, input.digest);
    if (!manifest) manifest = await this.insertManifest(repository, input);
    if (input.tag !== null) await this.setTag(repository, input.tag, manifest);
    return manifest;
  }

  private async insertManifest(repository: ContainerRepositoryRow, input: NewManifest): Promise<ContainerManifestRow> {
    const { parsed, blob } = input;
    const references: { kind: 'blob' | 'manifest'; digest: string; blob_sha256: string }[] = [];
    for (const digest of parsed.blobs) {
      if (!(await findBlobLink(this.tx, repository.id, digest))) throw ociError('MANIFEST_BLOB_UNKNOWN', `blob unknown to registry: ${digest}`);
      references.push({ kind: 'blob', digest, blob_sha256: sha256Of(digest) });
    }
    for (const digest of parsed.children) {
      if (!(await findManifest(this.tx, repository.id, digest))) throw ociError('MANIFEST_BLOB_UNKNOWN', `manifest unknown to registry: ${digest}`);
      references.push({ kind: 'manifest', digest, blob_sha256: sha256Of(digest) });
    }
    await settleUpload(this.tx, blob);
    if (isInlineBlob(blob)) await storeInlineBlob(this.tx, blob);
    const at = nowIso();
    const manifest = await this.tx
      .insertInto('container_manifests')
      .values({
        repository_id: repository.id,
        digest: input.digest,
        media_type: parsed.mediaType,
        size: blob.size,
        blob_sha256: blob.sha256,
        config_digest: parsed.configDigest,
        subject_digest: parsed.subjectDigest,
        artifact_type: parsed.artifactType,
        annotations: parsed.annotations ? JSON.stringify(parsed.annotations) : null,
        platforms: parsed.platforms ? JSON.stringify(parsed.platforms) : null,
        pushed_by: this.stamp(at),
        pushed_at: at,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (references.length > 0) {
      await this.tx.insertInto('container_manifest_references').values(references.map((r) => ({ manifest_id: manifest.id, ...r }))).execute();
    }
    this.event('container_registry_manifest_pushed', repository, manifest, input.tag, `container image ${repository.name}@${manifest.digest} pushed`, {
      media_type: { from: null, to: manifest.media_type },
      size: { from: null, to: Number(manifest.size) },
      tag: { from: null, to: input.tag },
    });
    return manifest;
  }

  /** Points `tag` at `manifest`: tag_created, tag_moved (with the old and new digest), or nothing when it already does. */
  private async setTag(repository: ContainerRepositoryRow, tag: string, manifest: ContainerManifestRow): Promise<void> {
    const current = await findManifest(this.tx, repository.id, tag);
    if (current?.id === manifest.id) return;
    await this.tagRules.check('push', repository.name, tag, current !== undefined);
    const at = nowIso();
    const by = this.stamp(at);
    if (current) {
      await this.tx.updateTable('container_tags').set({ manifest_id: manifest.id, updated_by: by, updated_at: at }).where('repository_id', '=', repository.id).where('name', '=', tag).execute();
    } else {
      await this.tx.insertInto('container_tags').values({ repository_id: repository.id, name: tag, manifest_id: manifest.id, updated_by: by, updated_at: at }).execute();
    }
    await this.tx.insertInto('container_tag_history').values({ repository_id: repository.id, tag, digest: manifest.digest, pushed_by: by, pushed_at: at }).execute();
    const digestChange = { digest: { from: current?.digest ?? null, to: manifest.digest } };
    if (current) this.event('container_registry_tag_moved', repository, manifest, tag, `container tag ${repository.name}:${tag} moved from ${current.digest} to ${manifest.digest}`, digestChange);
    else this.event('container_registry_tag_created', repository, manifest, tag, `container tag ${repository.name}:${tag} created`, digestChange);
  }

  /** DELETE of a tag reference: the tag goes, the manifest stays. */
  async deleteTag(repository: ContainerRepositoryRow, tag: string): Promise<void> {
    const manifest = await findManifest(this.tx, repository.id, tag);
    if (!manifest) throw ociError('MANIFEST_UNKNOWN', 'manifest unknown to registry');
    await this.tagRules.check('delete', repository.name, tag);
    await this.tx.deleteFrom('container_tags').where('repository_id', '=', repository.id).where('name', '=', tag).execute();
    this.event('container_registry_tag_deleted', repository, manifest, tag, `container tag ${repository.name}:${tag} deleted`, { digest: { from: manifest.digest, to: null } });
  }

  /** DELETE of a digest: the manifest and every tag that pointed at it (one tag_deleted each, then manifest_deleted). */
  async deleteManifest(repository: ContainerRepositoryRow, digest: string): Promise<void> {
    const manifest = await findManifest(this.tx, repository.id, digest);
    if (!manifest) throw ociError('MANIFEST_UNKNOWN', 'manifest unknown to registry');
    const tags = (await this.tx.selectFrom('container_tags').select('name').where('manifest_id', '=', manifest.id).orderBy('name').execute()).map((t) => t.name);
    for (const tag of tags) await this.deleteTag(repository, tag);
    await this.tx.deleteFrom('container_manifest_references').where('manifest_id', '=', manifest.id).execute();
    await this.tx.deleteFrom('container_manifests').where('id', '=', manifest.id).execute();
    this.event('container_registry_manifest_deleted', repository, manifest, null, `container image ${repository.name}@${manifest.digest} deleted`, {
      tags: { from: tags, to: [] },
    });
  }

  /**
   * The REST API's repository DELETE: every tag (tag_deleted each), every manifest, indexes before
   * the images they list (manifest_deleted each), then the repository itself (repository_deleted,
   * with what it held). Its blobs are unlinked with it; the blob collector frees unreferenced bytes.
   */
  async deleteRepository(repository: ContainerRepositoryRow): Promise<void> {
    const tags = (await this.tx.selectFrom('container_tags').select('name').where('repository_id', '=', repository.id).orderBy('name').execute()).map((t) => t.name);
    for (const tag of tags) await this.deleteTag(repository, tag);
    const manifests = await this.tx.selectFrom('container_manifests').select(['digest', 'platforms']).where('repository_id', '=', repository.id).orderBy('id').execute();
    const indexesFirst = [...manifests.filter((m) => m.platforms !== null), ...manifests.filter((m) => m.platforms === null)];
    for (const manifest of indexesFirst) await this.deleteManifest(repository, manifest.digest);
    await this.tx.deleteFrom('container_repositories').where('id', '=', repository.id).execute();
    this.event('container_registry_repository_deleted', repository, null, null, `container repository ${repository.name} deleted`, {
      tags: { from: tags, to: [] },
      manifests: { from: manifests.map((m) => m.digest), to: [] },
    });
  }
}
