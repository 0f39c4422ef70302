import { ContainerExpirationPolicy } from './container-governance.js';
import Type, { type Static } from 'typebox';
import { Id, Nullable, Timestamp, Visibility } from './common.js';

/** A group as GitLab's `GET /groups/:id` shows it. */
export const Group = Type.Object({
  id: Id,
  name: Type.String(),
  path: Type.String(),
  full_name: Type.String(),
  full_path: Type.String(),
  description: Type.String(),
  visibility: Visibility,
  parent_id: Nullable(Id),
  web_url: Type.String(),
  created_at: Timestamp,
});
export type Group = Static<typeof Group>;

const NamespaceKind = Type.Union([Type.Literal('group'), Type.Literal('user')]);

/** A group or a user's namespace, as GitLab's `GET /namespaces/:id` shows it. */
export const Namespace = Type.Object({
  id: Id,
  name: Type.String(),
  path: Type.String(),
  kind: NamespaceKind,
  full_path: Type.String(),
  parent_id: Nullable(Id),
  web_url: Type.String(),
});
export type Namespace = Static<typeof Namespace>;

/** A project as GitLab's `GET /projects/:id` shows it. */
export const Project = Type.Object({
  id: Id,
  name: Type.String(),
  path: Type.String(),
  name_with_namespace: Type.String(),
  path_with_namespace: Type.String(),
  description: Type.String(),
  visibility: Visibility,
  created_at: Timestamp,
  web_url: Type.String(),
  namespace: Type.Object({ id: Id, name: Type.String(), path: Type.String(), kind: NamespaceKind, full_path: Type.String(), parent_id: Nullable(Id) }),
  /** GitLab's container cleanup policy: in GET and PUT /projects/:id. */
  container_expiration_policy: Type.Optional(ContainerExpirationPolicy),
});
export type Project = Static<typeof Project>;
