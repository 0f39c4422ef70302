import type { Generated } from 'kysely';

/** The largest row id: ids are PostgreSQL `integer`s, so a larger number names no row (and must not reach the query). */
export const MAX_ROW_ID = 2_147_483_647;

// Table types for Kysely. Timestamps are ISO-8601 UTC strings (sortable as text on
// every dialect); JSON documents are stored as text; booleans as 0/1 integers.

export interface UsersTable {
  id: Generated<number>;
  username: string;
  name: string;
  email: string;
  password_hash: string | null;
  is_admin: number;
  /** A deleted user's row stays (tokens, namespace and audit events refer to it); only the state says so. */
  state: 'active' | 'blocked' | 'deleted';
  created_at: string;
}

/** A group (nested through parent_id) or a user's personal namespace. */
export interface NamespacesTable {
  id: Generated<number>;
  kind: 'group' | 'user';
  name: string;
  path: string;
  full_path: string;
  parent_id: number | null;
  owner_user_id: number | null;
  visibility: 'private' | 'internal' | 'public';
  description: string;
  package_audit_events: 'enabled' | 'disabled' | 'inherit';
  package_download_events: 'enabled' | 'disabled' | 'inherit';
  created_at: string;
}

export interface ProjectsTable {
  id: Generated<number>;
  namespace_id: number;
  name: string;
  path: string;
  full_path: string;
  visibility: 'private' | 'internal' | 'public';
  description: string;
  created_at: string;
}

export interface MembersTable {
  id: Generated<number>;
  source_type: 'namespace' | 'project';
  source_id: number;
  user_id: number;
  access_level: number;
  created_at: string;
  /** GitLab's member expiry, `YYYY-MM-DD` (UTC), or null for none (migration 017). */
  expires_at: string | null;
}

export interface PersonalAccessTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  scopes: string; // JSON array
  token_digest: string;
  expires_at: string | null; // YYYY-MM-DD, valid through that day (UTC)
  revoked: number;
  last_used_at: string | null;
  created_at: string;
}

export interface DeployTokensTable {
  id: Generated<number>;
  owner_type: 'namespace' | 'project';
  owner_id: number;
  name: string;
  username: string;
  scopes: string; // JSON array
  token_digest: string;
  expires_at: string | null; // full ISO timestamp
  revoked: number;
  last_used_at: string | null;
  created_at: string;
}

export interface JobTokensTable {
  id: Generated<number>;
  project_id: number;
  user_id: number;
  pipeline_id: number;
  job_id: number;
  ref: string;
  sha: string;
  pipeline_url: string | null;
  token_digest: string;
  expires_at: string;
  created_at: string;
}

/** A token minted from a verified OIDC ID token (migration 029): publishes to one project for 15 minutes. */
export interface OidcTokensTable {
  id: Generated<number>;
  token_digest: string;
  project_id: number;
  trusted_publisher_id: number;
  issuer: string;
  subject: string;
  claims: string; // JSON object: the ID token's identifying claims
  package_type: string | null;
  package_name_pattern: string | null;
  created_at: string;
  expires_at: string;
}

export interface PackagesTable {
  id: Generated<number>;
  project_id: number;
  format: string;
  name: string;
  /** Name as the format compares it (npm: as is; PyPI: PEP 503 normalised). */
  normalized_name: string;
  version: string;
  status: 'default' | 'hidden' | 'pending_destruction' | 'error';
  /** Format-specific document (npm: the version manifest as published). */
  metadata: string;
  published_by: string; // JSON actor snapshot (docs/architecture.md#the-audit-record)
  created_at: string;
  updated_at: string;
  /** Set while the version is soft-deleted (status pending_destruction), until restored or purged. */
  deleted_at: string | null;
  /** JSON actor snapshot of who deleted it (same shape as published_by). */
  deleted_by: string | null;
  /** JSON list of the dist-tags that pointed at it when it was deleted. */
  deleted_tags: string | null;
}

export interface PackageFilesTable {
  id: Generated<number>;
  package_id: number;
  file_name: string;
  size: number;
  sha256: string;
  sha1: string;
  md5: string;
  sha512: string;
  created_by: string; // JSON actor snapshot
  created_at: string;
  /** Format-specific file metadata (PyPI: filetype, pyversion, requires_python); JSON or null. */
  metadata: string | null;
}

/** A provenance document published with a package file (migration 030, src/core/packages/provenance.ts). */
export interface PackageFileProvenanceTable {
  id: Generated<number>;
  package_file_id: number;
  /** 'sigstore_bundle' (npm) or 'pep740_attestation' (PyPI). */
  kind: string;
  media_type: string | null;
  /** The document as the client sent it (JSON text). */
  document: string;
  /** SHA-256 (hex) of `document`'s UTF-8 bytes. */
  sha256: string;
  predicate_type: string;
  /** JSON list of the statement's subjects: [{name, digest}]. */
  subjects: string;
  created_at: string;
}

/** Bytes of small package files kept in the database (src/storage/blobs/inline-blob-store.ts). */
export interface BlobContentsTable {
  sha256: string;
  data: Buffer;
}

/** An upload whose bytes are (about to be) stored but whose file row has not committed: the blob collector leaves its sha256 alone. */
export interface PendingUploadsTable {
  id: Generated<number>;
  sha256: string;
  registered_at: string;
}

/** A blob the collector found needed by no file row and no pending upload, since `since`. */
export interface UnreferencedBlobsTable {
  sha256: string;
  since: string;
}

/** The container registry (migration 025-container-registry.ts explains each table). */
export interface ContainerRepositoriesTable {
  id: Generated<number>;
  project_id: number;
  name: string;
  created_at: string;
  /** PublishedBy JSON of the first push. */
  created_by: string;
}

export interface ContainerRepositoryBlobsTable {
  repository_id: number;
  digest: string;
  blob_sha256: string;
  size: number;
  linked_at: string;
}

export interface ContainerManifestsTable {
  id: Generated<number>;
  repository_id: number;
  digest: string;
  media_type: string;
  size: number;
  blob_sha256: string;
  config_digest: string | null;
  subject_digest: string | null;
  artifact_type: string | null;
  /** JSON object, or null. */
  annotations: string | null;
  /** JSON list of an index's platforms, or null. */
  platforms: string | null;
  pushed_by: string;
  pushed_at: string;
}

export interface ContainerManifestReferencesTable {
  manifest_id: number;
  kind: 'blob' | 'manifest';
  digest: string;
  blob_sha256: string;
}

export interface ContainerTagsTable {
  repository_id: number;
  name: string;
  manifest_id: number;
  updated_by: string;
  updated_at: string;
}

export interface ContainerTagHistoryTable {
  id: Generated<number>;
  repository_id: number;
  tag: string;
  digest: string;
  pushed_by: string;
  pushed_at: string;
}

/** A protected (levels set) or immutable (both levels null) tag rule of a project (migration 026). */
export interface ContainerTagProtectionRulesTable {
  id: Generated<number>;
  project_id: number;
  tag_name_pattern: string;
  minimum_access_level_for_push: string | null;
  minimum_access_level_for_delete: string | null;
  created_at: string;
  updated_at: string;
}

/** A project's container expiration policy (migration 026), GitLab's fields and spellings. */
export interface ContainerExpirationPoliciesTable {
  id: Generated<number>;
  project_id: number;
  enabled: number;
  cadence: string;
  keep_n: number | null;
  older_than: string | null;
  name_regex: string | null;
  name_regex_keep: string | null;
  next_run_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ContainerUploadsTable {
  uuid: string;
  project_id: number;
  repository: string;
  received: number;
  started_at: string;
  updated_at: string;
}

export interface ContainerUploadPartsTable {
  upload_uuid: string;
  position: number;
  blob_sha256: string;
  size: number;
}

export interface PackageTagsTable {
  id: Generated<number>;
  project_id: number;
  format: string;
  normalized_name: string;
  tag: string;
  package_id: number;
  created_at: string;
  updated_at: string;
}

/** The audit log. `record` is the full JSON record; other columns exist to filter and index. */
export interface AuditEventsTable {
  id: Generated<number>;
  uuid: string;
  seq: number;
  event_name: string;
  outcome: 'success' | 'failure';
  author_id: number;
  author_username: string | null;
  actor_type: string;
  token_id: number | null;
  entity_type: 'Group' | 'Project' | 'Instance' | 'User';
  entity_id: number;
  entity_path: string | null;
  project_id: number | null;
  package_format: string | null;
  package_name: string | null;
  via: string;
  created_at: string;
  record: string;
  leaf_hash: string | null;
  /** 0 until the event is in the filter indexes (SQLite; always 1 on PostgreSQL): migration 012. */
  indexed: Generated<number>;
}

/**
 * PostgreSQL only: an audit event written in a transaction that has not committed yet; its commit
 * gives it its seq and moves it to audit_events (migration 034). `record` has a marker for id and seq.
 */
export interface AuditEventsPendingTable extends Omit<AuditEventsTable, 'id' | 'seq' | 'leaf_hash' | 'indexed'> {
  pending_id: Generated<number>;
  /** The ids of the streaming destinations that get the event, comma-separated, or null. */
  stream_destinations: string | null;
}

/** SQLite only: every audit event up to this id is in the filter indexes (migration 012). */
export interface AuditIndexProgressTable {
  id: number;
  indexed_through: number;
}

/** Who leads a background job group, until when (src/core/jobs/leader-lease.ts). */
export interface JobLeasesTable {
  name: string;
  holder: string;
  expires_at: string;
}

/** One row per job and due time: the unique (name, due_at) makes every run happen once. */
export interface JobRunsTable {
  id: Generated<number>;
  name: string;
  due_at: string;
  holder: string;
  started_at: string;
  finished_at: string | null;
  outcome: 'success' | 'failure' | null;
  detail: string | null;
}

/** A signed checkpoint of the audit log's Merkle tree (C2SP tlog-checkpoint signed note). */
export interface AuditCheckpointsTable {
  tree_size: number;
  root_hash: string;
  note: string;
  key_name: string;
  /** JSON array of hex subtree roots (the compact range) for appending the next leaves. */
  frontier: string;
  created_at: string;
}

/** A failed self-check of the audit log (migration 015, src/core/audit/integrity/). */
export interface AuditIntegrityAlarmsTable {
  id: Generated<number>;
  raised_at: string;
  reason: string;
  checkpoint_tree_size: number;
  event_seq: number | null;
  acknowledged_at: string | null;
  acknowledged_by: number | null;
  anchor_tree_size: number | null;
}

/** A project's retention policy (src/core/cleanup); regexes are JavaScript syntax, validated when saved. */
export interface PackageCleanupPoliciesTable {
  id: Generated<number>;
  project_id: number;
  enabled: number;
  cadence: string;
  keep_n_versions: number | null;
  older_than_days: number | null;
  name_regex: string | null;
  name_regex_keep: string | null;
  version_regex_keep: string | null;
  /** When the scheduler runs it next (null while disabled); advanced atomically to claim a run. */
  next_run_at: string | null;
  created_at: string;
  updated_at: string;
}

/** A package protection rule of a project or a group (migration 022): exactly one of project_id, namespace_id. */
export interface PackageProtectionRulesTable {
  id: Generated<number>;
  project_id: number | null;
  namespace_id: number | null;
  package_name_pattern: string;
  package_type: string;
  minimum_access_level_for_push: string | null;
  minimum_access_level_for_delete: string | null;
  allow_deploy_tokens: number;
  created_at: string;
  updated_at: string;
}

/**
 * A trusted publisher of a project or a group (migration 028): exactly one of project_id, group_id;
 * `claims` is JSON text of claim name → condition (src/core/oidc/trusted-publishers.ts).
 */
export interface TrustedPublishersTable {
  id: Generated<number>;
  project_id: number | null;
  group_id: number | null;
  issuer: string;
  audience: string;
  claims: string;
  package_type: string | null;
  package_name_pattern: string | null;
  created_by: number | null;
  created_at: string;
  updated_at: string;
  /** Its last token exchange (recordPublisherUse), for the access review. */
  last_used_at: string | null;
}

/** A Debian distribution of a project (migration 032); components and architectures are JSON arrays of names. */
export interface DebianDistributionsTable {
  id: Generated<number>;
  project_id: number;
  codename: string;
  suite: string | null;
  origin: string | null;
  label: string | null;
  version: string | null;
  description: string | null;
  valid_time_duration_seconds: number | null;
  components: string;
  architectures: string;
  /** The signing key's public half, ASCII-armored (served as key.asc). */
  public_key: string;
  key_fingerprint: string;
  /** The private half, AES-256-GCM under the key in TROVE_DEBIAN_SIGNING_KEY_FILE (debian-signing.ts). */
  encrypted_private_key: string;
  created_at: string;
  updated_at: string;
}

/** A Debian distribution of a group (migration 033): a project distribution's fields, owned by a group. */
export type DebianGroupDistributionsTable = Omit<DebianDistributionsTable, 'project_id'> & { group_id: number };

/** A web UI session; the cookie holds the secret, the database only its SHA-256 (migration 008). */
export interface WebSessionsTable {
  id: Generated<number>;
  session_digest: string;
  user_id: number;
  /** Set when the session was started with a personal access token: it acts with that token's rights. */
  personal_access_token_id: number | null;
  created_at: string;
  expires_at: string;
}

/** An audit event streaming destination (docs/api.md#audit-event-streaming); namespace_id null = the instance. */
export interface AuditStreamDestinationsTable {
  id: Generated<number>;
  namespace_id: number | null;
  name: string;
  url: string;
  secret: string;
  event_names: string; // JSON array
  headers: string; // JSON object
  active: number;
  consecutive_failures: Generated<number>;
  paused_until: string | null;
  last_delivered_seq: number | null;
  last_delivered_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
  created_at: string;
  updated_at: string;
}

/** One event still to deliver to one destination (deleted once delivered). */
export interface AuditStreamOutboxTable {
  destination_id: number;
  seq: number;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
}

/** An event whose retries to one destination ran out; replay moves it back to the outbox. */
export interface AuditStreamDeadLettersTable {
  id: Generated<number>;
  destination_id: number;
  seq: number;
  attempts: number;
  last_error: string | null;
  created_at: string;
}

/** A failed password sign-in, counted by the sign-in throttle (migration 009). */
export interface SignInFailuresTable {
  id: Generated<number>;
  /** The login as typed (username or email), lower-cased. */
  login: string;
  ip_address: string;
  failed_at: string;
}

export interface AuthenticationFailureWindowsTable {
  credential_prefix: string;
  ip_address: string;
  reason: string;
  started_at: string;
  /** Failures after the first one in this window not yet recorded. */
  repeats: number;
  first_failure: string;
}

/** A format setting set on a namespace (migrations 020, 021): 'true'/'false' for a yes/no setting, the pattern for a regex one. */
export interface NamespaceFormatSettingsTable {
  namespace_id: number;
  key: string;
  value: string;
}

/** A legal hold in force (migration 023): on a version, a package name, or a whole project. */
export interface PackageLegalHoldsTable {
  id: Generated<number>;
  project_id: number;
  scope: 'version' | 'name' | 'project';
  target_key: string;
  package_id: number | null;
  format: string | null;
  name: string | null;
  normalized_name: string | null;
  reason: string;
  reference: string | null;
  set_by: string; // JSON actor snapshot (docs/architecture.md#the-audit-record)
  set_at: string;
}

export interface InstanceSettingsTable {
  key: string;
  value: string;
}

/** The jti of every exchanged OIDC ID token, kept until the token could no longer be accepted. */
export interface OidcUsedJtisTable {
  issuer: string;
  jti: string;
  expires_at: string;
  used_at: string;
}

export interface Database {
  users: UsersTable;
  namespaces: NamespacesTable;
  projects: ProjectsTable;
  members: MembersTable;
  personal_access_tokens: PersonalAccessTokensTable;
  deploy_tokens: DeployTokensTable;
  job_tokens: JobTokensTable;
  oidc_tokens: OidcTokensTable;
  packages: PackagesTable;
  package_files: PackageFilesTable;
  package_file_provenance: PackageFileProvenanceTable;
  blob_contents: BlobContentsTable;
  pending_uploads: PendingUploadsTable;
  unreferenced_blobs: UnreferencedBlobsTable;
  package_tags: PackageTagsTable;
  container_repositories: ContainerRepositoriesTable;
  container_repository_blobs: ContainerRepositoryBlobsTable;
  container_manifests: ContainerManifestsTable;
  container_manifest_references: ContainerManifestReferencesTable;
  container_tags: ContainerTagsTable;
  container_tag_history: ContainerTagHistoryTable;
  container_tag_protection_rules: ContainerTagProtectionRulesTable;
  container_expiration_policies: ContainerExpirationPoliciesTable;
  container_uploads: ContainerUploadsTable;
  container_upload_parts: ContainerUploadPartsTable;
  audit_events: AuditEventsTable;
  audit_events_pending: AuditEventsPendingTable;
  audit_index_progress: AuditIndexProgressTable;
  instance_settings: InstanceSettingsTable;
  namespace_format_settings: NamespaceFormatSettingsTable;
  job_leases: JobLeasesTable;
  job_runs: JobRunsTable;
  audit_checkpoints: AuditCheckpointsTable;
  audit_integrity_alarms: AuditIntegrityAlarmsTable;
  package_cleanup_policies: PackageCleanupPoliciesTable;
  package_legal_holds: PackageLegalHoldsTable;
  package_protection_rules: PackageProtectionRulesTable;
  trusted_publishers: TrustedPublishersTable;
  debian_distributions: DebianDistributionsTable;
  debian_group_distributions: DebianGroupDistributionsTable;
  web_sessions: WebSessionsTable;
  audit_stream_destinations: AuditStreamDestinationsTable;
  audit_stream_outbox: AuditStreamOutboxTable;
  audit_stream_dead_letters: AuditStreamDeadLettersTable;
  sign_in_failures: SignInFailuresTable;
  authentication_failure_windows: AuthenticationFailureWindowsTable;
  oidc_used_jtis: OidcUsedJtisTable;
}
