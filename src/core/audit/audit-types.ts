// The audit record of docs/architecture.md#the-audit-record and what callers hand to the recorder to produce it.

import type { ProvenanceRef } from '../packages/provenance.js';
import type { AuditEventName } from './event-catalog.js';

export type Via = 'web' | 'api' | 'package_client' | 'pipeline' | 'system';

export type ActorType = 'user' | 'personal_access_token' | 'deploy_token' | 'job_token' | 'oidc' | 'system' | 'anonymous';

/** Who did it. Also stored on packages and files as their `published_by`. */
export interface ActorSnapshot {
  type: ActorType;
  user_id: number | null;
  username: string | null;
  token_id: number | null;
  token_name: string | null;
  token_owner_path: string | null;
  /** Only for `system` actors: the mechanism, e.g. "Packages cleanup policy". */
  name?: string;
  policy_id?: number;
  /** `oidc` actors (trusted publishing, docs/api.md#trusted-publishing-the-token-exchange): the ID token's issuer and subject, the matched publisher, and the identifying claims (issuer and subject also on a refused exchange). */
  issuer?: string;
  subject?: string;
  trusted_publisher_id?: number;
  claims?: Record<string, string | number | boolean>;
}

export interface ClientInfo {
  name: string;
  version: string | null;
}

/** The CI run behind a job token, or behind an OIDC token (from its claims: GitLab CI or GitHub Actions). */
export interface PipelineInfo {
  id: number;
  /** Null for GitHub Actions, whose ID tokens name the run, not the job. */
  job_id: number | null;
  /** GitLab's project path, or GitHub's owner/repository. */
  project_path: string;
  ref: string;
  sha: string;
  url: string | null;
  /** Absent for job tokens (Trove's own CI job tokens). */
  source?: 'gitlab_ci' | 'github_actions';
  /** GitHub Actions: the workflow_ref claim (owner/repo/.github/workflows/release.yml@refs/heads/main). */
  workflow?: string;
  repository?: string;
  run_attempt?: number;
}

/** Who and how, for every event recorded while serving one request (or one system run). */
export interface AuditContext {
  actor: ActorSnapshot;
  via: Via;
  client: ClientInfo | null;
  userAgent: string | null;
  ipAddress: string | null;
  requestId: string | null;
  pipeline: PipelineInfo | null;
}

export type EntityType = 'Group' | 'Project' | 'User' | 'Instance';

/** Where an event is stored (docs/architecture.md#scope-and-visibility). */
export interface AuditScope {
  entityType: EntityType;
  entityId: number;
  entityPath: string | null;
  /** Namespace whose package_audit_events setting governs package events of this scope. */
  settingNamespaceId: number | null;
}

export interface PackageFileRef {
  file_name: string;
  size: number;
  sha256: string;
}

export interface PackageRef {
  id: number | null;
  format: string;
  name: string;
  version: string | null;
  files: PackageFileRef[];
}

export type Changes = Record<string, { from: unknown; to: unknown }>;

export interface AuditEventInput {
  /** Only names of the event catalog (event-catalog.ts): an event nobody documented does not compile. */
  eventName: AuditEventName;
  outcome?: 'success' | 'failure';
  reason?: string;
  scope: AuditScope;
  project?: { id: number; full_path: string } | null;
  package?: PackageRef | null;
  target: { id: number | null; type: string; details: string };
  customMessage: string;
  changes?: Changes | null;
  /** authentication_failed: the first characters of the refused credential, and how many failures the event stands for. */
  credentialPrefix?: string;
  count?: number;
  /** A publish or file upload: the provenance documents stored with the files (src/core/packages/provenance.ts). */
  provenance?: ProvenanceRef[];
}

/** The stored record; the API serves it with its leaf hash (src/contracts/audit-events.ts AuditEvent). */
export interface AuditRecord {
  id: number;
  uuid: string;
  seq: number;
  event_name: AuditEventName;
  outcome: 'success' | 'failure';
  reason: string | null;
  created_at: string;
  author_id: number;
  entity_id: number;
  entity_type: EntityType;
  details: {
    author_name: string | null;
    author_class: string;
    target_id: number | null;
    target_type: string;
    target_details: string;
    custom_message: string;
    ip_address: string | null;
    entity_path: string | null;
    auth_token_type: string | null;
    credential_prefix?: string;
    count?: number;
    provenance?: ProvenanceRef[];
  };
  actor: ActorSnapshot;
  via: Via;
  client: ClientInfo | null;
  user_agent: string | null;
  pipeline: PipelineInfo | null;
  project: { id: number; full_path: string } | null;
  package: PackageRef | null;
  changes: Changes | null;
  request_id: string | null;
  ip_address: string | null;
  /** Served with the record; computed in the event's own transaction from the stored JSON (docs/architecture.md#tamper-evidence), not part of it. */
  leaf_hash?: string | null;
}

/** The context for changes made by Trove itself (bootstrap, the CLI, cleanup policies). */
export function systemAuditContext(name: string, extra: Partial<ActorSnapshot> = {}): AuditContext {
  return {
    actor: { type: 'system', user_id: null, username: null, token_id: null, token_name: null, token_owner_path: null, name, ...extra },
    via: 'system',
    client: null,
    userAgent: null,
    ipAddress: null,
    requestId: null,
    pipeline: null,
  };
}
