// The shapes of the REST API responses the UI reads. Resources whose contract the server declares
// (src/contracts, checked against every response in the test suite) are imported from it, so the UI
// compiles against what the server sends; the rest are described here until their routes declare them.

export type { Group, Project } from '../../src/contracts/namespaces.js';

export interface User {
  id: number;
  username: string;
  name: string;
  is_admin?: boolean;
}

export interface Session {
  user: User;
  csrf_token: string;
  expires_at: string;
  token: { id: number; name: string; scopes: string[] } | null;
}

export interface Actor {
  type: 'user' | 'personal_access_token' | 'deploy_token' | 'job_token' | 'system' | 'anonymous';
  user_id: number | null;
  username: string | null;
  token_id: number | null;
  token_name: string | null;
  token_owner_path: string | null;
  name?: string;
}

export interface Pipeline {
  id: number;
  job_id: number;
  project_path: string;
  ref: string;
  sha: string;
  url: string | null;
}

export interface PublishedBy {
  actor: Actor;
  via: string;
  client: { name: string; version: string | null } | null;
  pipeline: Pipeline | null;
  at: string;
}

export interface Package {
  id: number;
  name: string;
  version: string;
  package_type: string;
  status: string;
  created_at: string;
  project_id: number;
  project_path: string | null;
  tags: { name: string }[];
  deprecated: string | null;
  downloads: number;
  published_by: PublishedBy;
}

/** GET /projects/:id/packages/:package_id/deletion: a deleted version, from its audit event. */
export interface DeletedPackage {
  id: number;
  name: string;
  version: string;
  package_type: string;
  project_path: string | null;
  deleted_at: string;
  deleted_by: PublishedBy;
  reason: string | null;
  custom_message: string;
  files: { file_name: string; size: number; sha256: string }[];
  audit_event_id: number;
}

/** GET /groups/:id/members, /projects/:id/members (expires_at: YYYY-MM-DD or null). */
export interface Member {
  id: number;
  username: string;
  name: string;
  state: string;
  access_level: number;
  expires_at?: string | null;
}

/** GET /projects/:id/packages/:package_id/dist_tags: every tag of the package's name. */
export interface DistTag {
  name: string;
  version: string;
  package_id: number;
  updated_at: string;
}

export interface PackageFile {
  id: number;
  file_name: string;
  size: number;
  file_sha256: string;
  created_at: string;
  created_by: PublishedBy;
}

export type { AuditEvent } from '../../src/contracts/audit-events.js';
