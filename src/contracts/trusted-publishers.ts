import Type, { type Static } from 'typebox';
import { Id, Nullable, Timestamp } from './common.js';

// Trusted publishers (docs/api.md#trusted-publishers): the CI identities whose OIDC ID
// tokens POST /api/v4/oidc/token exchanges for a short-lived publish token.

/** The group a project's list shows an inherited publisher from. */
export const InheritedFrom = Type.Object({ id: Id, full_path: Type.String() });
export type InheritedFrom = Static<typeof InheritedFrom>;

/** `GET|POST /projects/:id/packages/trusted_publishers`, the same under `/groups/:id`, and their PATCH. */
export const TrustedPublisher = Type.Object({
  id: Id,
  /** Null for a group's publisher. */
  project_id: Nullable(Id),
  /** Null for a project's own publisher. */
  group_id: Nullable(Id),
  /** Exactly the `iss` claim of the tokens it accepts. */
  issuer: Type.String(),
  /** One of the token's `aud` values must be this (default: Trove's base URL). */
  audience: Type.String(),
  /** Claim name → exact value or `*` glob; every one must hold. */
  claims: Type.Record(Type.String(), Type.String()),
  /** Only packages of this format (or `container`), or any. */
  package_type: Nullable(Type.String()),
  /** Only package names matching this `*` pattern, or any. */
  package_name_pattern: Nullable(Type.String()),
  /** In a project's list: the group above it whose publisher this is (changed on the group); null for the project's own. */
  inherited_from: Nullable(InheritedFrom),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type TrustedPublisher = Static<typeof TrustedPublisher>;
