import Type, { type Static } from 'typebox';
import { Id, Nullable, Timestamp } from './common.js';

/** What a personal access token may do (GitLab's scopes, those Trove knows). */
export const PersonalTokenScope = Type.Union([Type.Literal('api'), Type.Literal('read_api'), Type.Literal('read_package_registry'), Type.Literal('write_package_registry'), Type.Literal('read_registry'), Type.Literal('write_registry')]);
export type PersonalTokenScope = Static<typeof PersonalTokenScope>;

/** What a deploy token may do (`*_registry`: the container registry). */
export const DeployTokenScope = Type.Union([Type.Literal('read_package_registry'), Type.Literal('write_package_registry'), Type.Literal('read_registry'), Type.Literal('write_registry')]);
export type DeployTokenScope = Static<typeof DeployTokenScope>;

/** The secret, in the answer that creates a token only: it is never shown again. */
const Secret = Type.Optional(Type.String());

/** A personal access token as GitLab's `GET /personal_access_tokens/:id` shows it. */
export const PersonalAccessToken = Type.Object({
  id: Id,
  name: Type.String(),
  revoked: Type.Boolean(),
  created_at: Timestamp,
  scopes: Type.Array(PersonalTokenScope),
  user_id: Id,
  last_used_at: Nullable(Timestamp),
  active: Type.Boolean(),
  /** YYYY-MM-DD (valid through that day, UTC) or an ISO timestamp; null: no expiry. */
  expires_at: Nullable(Type.String()),
  token: Secret,
});
export type PersonalAccessToken = Static<typeof PersonalAccessToken>;

/** A group's or project's deploy token as GitLab's `GET /projects/:id/deploy_tokens/:token_id` shows it. */
export const DeployToken = Type.Object({
  id: Id,
  name: Type.String(),
  username: Type.String(),
  /** As for personal access tokens. */
  expires_at: Nullable(Type.String()),
  revoked: Type.Boolean(),
  expired: Type.Boolean(),
  scopes: Type.Array(DeployTokenScope),
  last_used_at: Nullable(Timestamp),
  created_at: Timestamp,
  token: Secret,
});
export type DeployToken = Static<typeof DeployToken>;

/** `POST /projects/:id/ci/job_tokens`: a CI job's token, shown once. */
export const IssuedJobToken = Type.Object({
  id: Id,
  token: Type.String(),
  expires_at: Timestamp,
  project_id: Id,
  user_id: Id,
});
export type IssuedJobToken = Static<typeof IssuedJobToken>;

/** `POST /oidc/token` (trusted publishing): a CI job's ID token exchanged for a 15-minute publish token, shown once. */
export const ExchangedOidcToken = Type.Object({
  token: Type.String(),
  expires_at: Timestamp,
  project: Type.Object({ id: Id, full_path: Type.String() }),
  trusted_publisher_id: Id,
});
export type ExchangedOidcToken = Static<typeof ExchangedOidcToken>;

/** A refused exchange: `error` is the reason (as in oidc_token_exchange_denied), `message` says what to fix. */
export const OidcTokenRefusal = Type.Object({ error: Type.String(), message: Type.String() });
