import Type, { type Static } from 'typebox';
import { Id, Nullable, Timestamp } from './common.js';

// Package protection rules (docs/api.md#package-protection-rules): GitLab's fields, plus Trove's
// allow_deploy_tokens and group_id (a rule of a group binds every project below it).

export const ProtectionLevel = Type.Union([Type.Literal('maintainer'), Type.Literal('owner'), Type.Literal('admin')]);
export type ProtectionLevel = Static<typeof ProtectionLevel>;

/** `GET|POST /projects/:id/packages/protection/rules`, `GET|POST /groups/:id/packages/protection/rules` and their PATCH. */
export const ProtectionRule = Type.Object({
  id: Id,
  /** Null for a group's rule. */
  project_id: Nullable(Id),
  /** Null for a project's own rule. */
  group_id: Nullable(Id),
  package_name_pattern: Type.String(),
  package_type: Type.String(),
  minimum_access_level_for_push: Nullable(ProtectionLevel),
  minimum_access_level_for_delete: Nullable(ProtectionLevel),
  allow_deploy_tokens: Type.Boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type ProtectionRule = Static<typeof ProtectionRule>;
