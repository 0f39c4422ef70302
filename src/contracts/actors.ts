import Type, { type Static } from 'typebox';
import { Nullable, Timestamp } from './common.js';

/** Who did something: a user, one of their tokens, a deploy or CI job token, Trove itself, or nobody signed in. */
export const Actor = Type.Object({
  type: Type.Union([
    Type.Literal('user'),
    Type.Literal('personal_access_token'),
    Type.Literal('deploy_token'),
    Type.Literal('job_token'),
    Type.Literal('system'),
    Type.Literal('anonymous'),
  ]),
  user_id: Nullable(Type.Integer()),
  username: Nullable(Type.String()),
  token_id: Nullable(Type.Integer()),
  token_name: Nullable(Type.String()),
  token_owner_path: Nullable(Type.String()),
  /** Only for `system` actors: the mechanism, e.g. "Packages cleanup policy". */
  name: Type.Optional(Type.String()),
});
export type Actor = Static<typeof Actor>;

/** The CI pipeline and job a job token belonged to. */
export const Pipeline = Type.Object({
  id: Type.Integer(),
  job_id: Type.Integer(),
  project_path: Type.String(),
  ref: Type.String(),
  sha: Type.String(),
  url: Nullable(Type.String()),
});
export type Pipeline = Static<typeof Pipeline>;

/** Who published (or deleted) a package or file, with which credential, how and when. */
export const PublishedBy = Type.Object({
  actor: Actor,
  via: Type.String(),
  client: Nullable(Type.Object({ name: Type.String(), version: Nullable(Type.String()) })),
  pipeline: Nullable(Pipeline),
  at: Timestamp,
});
export type PublishedBy = Static<typeof PublishedBy>;
