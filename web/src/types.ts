// The shapes of the REST API responses the UI reads. Resources whose contract the server declares
// (src/contracts, checked against every response in the test suite) are imported from it, so the UI
// compiles against what the server sends; the rest are described here until their routes declare them.

export type { Group, Project } from '../../src/contracts/namespaces.js';
export type { DeletedPackage, DistTag, Package, PackageFile } from '../../src/contracts/packages.js';
export type { Actor, Pipeline, PublishedBy } from '../../src/contracts/actors.js';
import type { Actor, Pipeline } from '../../src/contracts/actors.js';

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

/** GET /groups/:id/members, /projects/:id/members (expires_at: YYYY-MM-DD or null). */
export interface Member {
  id: number;
  username: string;
  name: string;
  state: string;
  access_level: number;
  expires_at?: string | null;
}

export interface AuditEvent {
  id: number;
  uuid: string;
  seq: number;
  event_name: string;
  outcome: 'success' | 'failure';
  reason?: string | null;
  created_at: string;
  details: { target_details: string; custom_message: string; entity_path: string | null; ip_address: string | null };
  actor: Actor;
  via: string;
  client: { name: string; version: string | null } | null;
  pipeline: Pipeline | null;
  project: { id: number; full_path: string } | null;
  package: { name: string; version: string | null; format: string } | null;
  [key: string]: unknown;
}
