import Type, { type Static } from 'typebox';
import { Pipeline, PublishedBy } from './actors.js';
import { Id, Nullable, Timestamp } from './common.js';
import { PackageLegalHold } from './legal-holds.js';
import { FileProvenance } from './provenance.js';

// GitLab's package and package-file JSON, plus Trove's `published_by` / `created_by` (docs/architecture.md#the-audit-record),
// `downloads` / `last_downloaded_at` (from the audit log's download events), dist-tags and what
// became of a deleted version.

/** GitLab's package statuses; lists show `default` and `error` unless asked. */
export const PackageStatus = Type.Union([Type.Literal('default'), Type.Literal('hidden'), Type.Literal('pending_destruction'), Type.Literal('error')]);
export type PackageStatus = Static<typeof PackageStatus>;

/** A tag as GitLab lists it on a package version (npm dist-tags). */
export const PackageTag = Type.Object({ id: Id, package_id: Id, name: Type.String(), created_at: Timestamp, updated_at: Timestamp });
export type PackageTag = Static<typeof PackageTag>;

/** A soft-deleted version's deletion (status pending_destruction, listed with `?status=deleted`): who, when, purged after when. */
export const PackageDeletion = Type.Object({
  deleted_at: Timestamp,
  deleted_by: PublishedBy,
  /** The purge job removes it after this time (deleted_at + TROVE_RESTORE_DAYS) unless restored first or under a legal hold. */
  purge_after: Timestamp,
  /** The dist-tags removed with it; a restore puts back those no other version has taken since. */
  tags: Type.Array(Type.String()),
});
export type PackageDeletion = Static<typeof PackageDeletion>;

/** A package version, as GitLab's `GET /projects/:id/packages/:package_id` shows it. */
export const Package = Type.Object({
  id: Id,
  name: Type.String(),
  version: Type.String(),
  /** The format's name (npm, pypi, generic, ...). */
  package_type: Type.String(),
  status: PackageStatus,
  created_at: Timestamp,
  updated_at: Timestamp,
  last_downloaded_at: Nullable(Timestamp),
  /** Recorded downloads in the period asked for (all time by default). */
  downloads: Type.Integer({ minimum: 0 }),
  project_id: Id,
  project_path: Nullable(Type.String()),
  _links: Type.Object({ web_path: Type.String(), delete_api_path: Type.String() }),
  tags: Type.Array(PackageTag),
  /** npm's deprecation message. */
  deprecated: Nullable(Type.String()),
  pipeline: Nullable(Pipeline),
  pipelines: Type.Array(Pipeline),
  published_by: PublishedBy,
  /** The legal hold that keeps this version from being deleted or changed, or null. */
  legal_hold: Nullable(PackageLegalHold),
  /** Set on a deleted version that can still be restored; null otherwise. */
  deletion: Nullable(PackageDeletion),
});
export type Package = Static<typeof Package>;

/** A file of a package version, as GitLab's `GET .../package_files` lists it. */
export const PackageFile = Type.Object({
  id: Id,
  package_id: Id,
  created_at: Timestamp,
  file_name: Type.String(),
  size: Type.Integer({ minimum: 0 }),
  file_md5: Type.String(),
  file_sha1: Type.String(),
  file_sha256: Type.String(),
  pipelines: Type.Array(Pipeline),
  created_by: PublishedBy,
  /** Provenance documents published with the file (npm provenance, PEP 740 attestations); absent when there are none. */
  provenance: Type.Optional(Type.Array(FileProvenance)),
});
export type PackageFile = Static<typeof PackageFile>;

/** `GET /projects/:id/packages/:package_id/dist_tags`: every tag of the package's name. */
export const DistTag = Type.Object({ name: Type.String(), version: Type.String(), package_id: Id, updated_at: Timestamp });
export type DistTag = Static<typeof DistTag>;

/** `GET /projects/:id/packages/:package_id/deletion`: a deleted version, from its audit event. */
export const DeletedPackage = Type.Object({
  id: Id,
  name: Type.String(),
  version: Nullable(Type.String()),
  package_type: Type.String(),
  project_id: Nullable(Id),
  project_path: Nullable(Type.String()),
  deleted_at: Timestamp,
  deleted_by: PublishedBy,
  /** The rule that deleted it (cleanup policies), or null. */
  reason: Nullable(Type.String()),
  custom_message: Type.String(),
  files: Type.Array(Type.Object({ file_name: Type.String(), size: Type.Integer({ minimum: 0 }), sha256: Type.String() })),
  audit_event_id: Id,
});
export type DeletedPackage = Static<typeof DeletedPackage>;
