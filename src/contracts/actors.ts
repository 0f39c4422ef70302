import Type, { type Static } from 'typebox';
import { Id, Nullable, Timestamp } from './common.js';

// Who did something and how (docs/architecture.md#the-audit-record): the same snapshot in audit events and in a package's or
// file's `published_by` / `created_by`.

/** Kinds of actor. */
export const ActorType = Type.Union([
  Type.Literal('user'),
  Type.Literal('personal_access_token'),
  Type.Literal('deploy_token'),
  Type.Literal('job_token'),
  Type.Literal('oidc'),
  Type.Literal('system'),
  Type.Literal('anonymous'),
]);
export type ActorType = Static<typeof ActorType>;

/** Who: a user, one of their tokens, a deploy or job token, or Trove itself (`system`, with `name`). */
export const Actor = Type.Object({
  type: ActorType,
  user_id: Nullable(Id),
  username: Nullable(Type.String()),
  token_id: Nullable(Id),
  token_name: Nullable(Type.String()),
  token_owner_path: Nullable(Type.String()),
  /** Only for `system` actors: the mechanism, e.g. "Packages cleanup policy". */
  name: Type.Optional(Type.String()),
  /** A cleanup policy's actions: which policy, of which project. */
  policy_id: Type.Optional(Id),
  project: Type.Optional(Type.Object({ id: Id, full_path: Type.String() })),
  /** `oidc` actors (trusted publishing): the ID token's issuer and subject; also the claimed ones of a refused exchange. */
  issuer: Type.Optional(Type.String()),
  subject: Type.Optional(Type.String()),
  /** The trusted publisher whose conditions the ID token matched. */
  trusted_publisher_id: Type.Optional(Id),
  /** The claims the publisher matched and those that identify the run (pipeline, repository, commit). */
  claims: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]))),
});
export type Actor = Static<typeof Actor>;

/** How the request came: the web UI, the REST API, a package client, a CI pipeline, Trove itself. */
export const Via = Type.Union([Type.Literal('web'), Type.Literal('api'), Type.Literal('package_client'), Type.Literal('pipeline'), Type.Literal('system')]);
export type Via = Static<typeof Via>;

/** The client program, from its User-Agent. */
export const Client = Type.Object({ name: Type.String(), version: Nullable(Type.String()) });
export type Client = Static<typeof Client>;

/** The CI job whose job token acted, or the CI run whose OIDC ID token was exchanged (trusted publishing). */
export const Pipeline = Type.Object({
  id: Id,
  /** Null for GitHub Actions runs: their ID tokens name the run, not the job. */
  job_id: Nullable(Id),
  /** GitLab's project path, or GitHub's owner/repository. */
  project_path: Type.String(),
  ref: Type.String(),
  sha: Type.String(),
  url: Nullable(Type.String()),
  /** Set for OIDC tokens: which CI system's claims filled this in. */
  source: Type.Optional(Type.Union([Type.Literal('gitlab_ci'), Type.Literal('github_actions')])),
  /** GitHub Actions: the workflow_ref claim. */
  workflow: Type.Optional(Type.String()),
  repository: Type.Optional(Type.String()),
  run_attempt: Type.Optional(Id),
});
export type Pipeline = Static<typeof Pipeline>;

/** Who published a package version or file, how, and when. */
export const PublishedBy = Type.Object({
  actor: Actor,
  via: Via,
  client: Nullable(Client),
  pipeline: Nullable(Pipeline),
  at: Timestamp,
});
export type PublishedBy = Static<typeof PublishedBy>;
