import Type, { type Static } from 'typebox';
import { Id, Nullable, Timestamp } from './common.js';
import { ProtectionLevel } from './protection-rules.js';

// Governance of container tags: GitLab's tag protection rules (`/projects/:id/registry/protection/tag/rules`)
// and its container expiration policy (`container_expiration_policy` of `GET /projects/:id`).

/** A protected rule (both levels set) or an immutable one (`immutable: true`, both levels null). */
export const ContainerTagRule = Type.Object({
  id: Id,
  project_id: Id,
  tag_name_pattern: Type.String(),
  minimum_access_level_for_push: Nullable(ProtectionLevel),
  minimum_access_level_for_delete: Nullable(ProtectionLevel),
  immutable: Type.Boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type ContainerTagRule = Static<typeof ContainerTagRule>;

export const ContainerExpirationPolicy = Type.Object({
  cadence: Type.String(),
  enabled: Type.Boolean(),
  keep_n: Nullable(Type.Integer()),
  older_than: Nullable(Type.String()),
  name_regex: Nullable(Type.String()),
  name_regex_keep: Nullable(Type.String()),
  next_run_at: Nullable(Timestamp),
});
export type ContainerExpirationPolicy = Static<typeof ContainerExpirationPolicy>;
