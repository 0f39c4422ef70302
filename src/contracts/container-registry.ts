import Type, { type Static } from 'typebox';
import { PublishedBy } from './actors.js';
import { Id, Nullable, Timestamp } from './common.js';

// GitLab's container registry REST API (`/projects/:id/registry/repositories`, its tags), plus
// Trove's own per tag: who pointed it at its image (`pushed_by`), the image's platforms, and the
// tag's history (every digest it pointed to).

/** A tag as GitLab lists it inside a repository (`?tags=true`). */
export const ContainerTagSummary = Type.Object({ name: Type.String(), path: Type.String(), location: Type.String() });
export type ContainerTagSummary = Static<typeof ContainerTagSummary>;

/** A container repository, as GitLab's `GET /projects/:id/registry/repositories` shows it. */
export const ContainerRepository = Type.Object({
  id: Id,
  /** The image path below the project's ('' for the project's own image). */
  name: Type.String(),
  /** The whole repository name, as `docker pull` takes it after the host. */
  path: Type.String(),
  project_id: Id,
  /** Host and path to pull from. */
  location: Type.String(),
  created_at: Timestamp,
  cleanup_policy_started_at: Nullable(Timestamp),
  /** GitLab's deletion status; Trove deletes at once, so always null. */
  status: Nullable(Type.String()),
  created_by: PublishedBy,
  tags_count: Type.Optional(Type.Integer({ minimum: 0 })),
  tags: Type.Optional(Type.Array(ContainerTagSummary)),
  /** Bytes of every image in the repository (`GET /registry/repositories/:id?size=true`). */
  size: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type ContainerRepository = Static<typeof ContainerRepository>;

/** A tag with its image, as GitLab's `GET .../tags/:tag_name` shows it (Trove lists tags this way too). */
export const ContainerTag = Type.Object({
  name: Type.String(),
  path: Type.String(),
  location: Type.String(),
  /** The image's config digest without its algorithm (the manifest's, for an index). */
  revision: Type.String(),
  short_revision: Type.String(),
  /** The manifest digest the tag points at. */
  digest: Type.String(),
  /** When the tag was pointed at this digest. */
  created_at: Timestamp,
  /** Manifest, config and layers (an index: every platform's). */
  total_size: Type.Integer({ minimum: 0 }),
  media_type: Type.String(),
  /** `os/architecture[/variant]` of the image, or of each image of an index. */
  platforms: Type.Array(Type.String()),
  /** Who pointed the tag at this digest, with which token, how. */
  pushed_by: PublishedBy,
});
export type ContainerTag = Static<typeof ContainerTag>;

/** `GET .../tags/:tag_name/history`: each digest the tag pointed to, newest first. */
export const ContainerTagHistoryEntry = Type.Object({
  id: Id,
  digest: Type.String(),
  pushed_at: Timestamp,
  pushed_by: PublishedBy,
});
export type ContainerTagHistoryEntry = Static<typeof ContainerTagHistoryEntry>;

/** The bulk tag delete's answer: GitLab's 202 says only "Accepted"; Trove deletes at once and says which tags went. */
export const ContainerTagBulkDeletion = Type.Object({ message: Type.String(), deleted: Type.Array(Type.String()) });
export type ContainerTagBulkDeletion = Static<typeof ContainerTagBulkDeletion>;
