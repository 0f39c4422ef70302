import type { Db } from '../../storage/db/database.js';
import type { User } from '../accounts/users.js';
import { activeMembership } from '../accounts/member-expiry.js';
import { ancestorsOf, subtreeNamespaceIds, type Namespace } from '../accounts/namespaces.js';
import type { Project } from '../accounts/projects.js';

// Who can reach each project of a group and its subgroups, by the rules of permissions.ts
// (userProjectLevel): a user's level on a project is the highest of their unexpired membership of
// the project and of every group above it, the groups above the reviewed one included. The same
// users and levels as GitLab's `GET /projects/:id/members/all` (members.ts listAllMembers), with the
// membership that gives the level: the project's own on a tie, else the nearest group's.

/** The groups and projects a review covers, and the groups above them whose memberships reach down. */
export interface ReviewScope {
  group: Namespace;
  /** The group, its subgroups and its ancestors, by id. */
  namespaces: Map<number, Namespace>;
  /** The group's ancestors (outermost last), whose members and deploy tokens reach its projects. */
  ancestorIds: number[];
  /** The group and its subgroups. */
  subtreeIds: number[];
  projects: Project[];
}

export async function loadReviewScope(db: Db, group: Namespace): Promise<ReviewScope> {
  const ancestors = (await ancestorsOf(db, group)).slice(1);
  const subtreeIds = await subtreeNamespaceIds(db, group);
  const subtree = await db.selectFrom('namespaces').selectAll().where('id', 'in', subtreeIds).execute();
  const projects = await db.selectFrom('projects').selectAll().where('namespace_id', 'in', subtreeIds).orderBy('full_path').execute();
  const namespaces = new Map<number, Namespace>([...ancestors, ...subtree].map((ns) => [ns.id, ns]));
  return { group, namespaces, ancestorIds: ancestors.map((ns) => ns.id), subtreeIds, projects };
}

export type MembershipSource = { type: 'namespace' | 'project'; id: number };

export interface EffectiveAccess {
  project: Project;
  user: Pick<User, 'id' | 'username' | 'name' | 'state'>;
  accessLevel: number;
  /** The membership that gives the level. */
  source: MembershipSource;
  /** The group of an inherited membership. */
  inheritedFrom: Namespace | null;
  expiresAt: string | null;
}

/** The namespace's chain from itself up to the root, as ids. */
function chainOf(scope: ReviewScope, namespaceId: number): number[] {
  const chain: number[] = [];
  for (let ns = scope.namespaces.get(namespaceId); ns; ns = ns.parent_id === null ? undefined : scope.namespaces.get(ns.parent_id)) chain.push(ns.id);
  return chain;
}

/** Every user's effective access to every project of the scope, by project path, then username. */
export async function effectiveAccess(db: Db, scope: ReviewScope): Promise<EffectiveAccess[]> {
  if (scope.projects.length === 0) return [];
  const groupIds = [...scope.ancestorIds, ...scope.subtreeIds];
  const memberships = await db
    .selectFrom('members')
    .innerJoin('users', 'users.id', 'members.user_id')
    .select(['members.source_type', 'members.source_id', 'members.access_level', 'members.expires_at', 'users.id', 'users.username', 'users.name', 'users.state'])
    .where(activeMembership)
    .where((eb) =>
      eb.or([
        eb.and([eb('members.source_type', '=', 'namespace'), eb('members.source_id', 'in', groupIds)]),
        eb.and([eb('members.source_type', '=', 'project'), eb('members.source_id', 'in', scope.projects.map((p) => p.id))]),
      ]),
    )
    .execute();
  const bySource = new Map<string, typeof memberships>();
  for (const m of memberships) {
    const key = `${m.source_type}:${m.source_id}`;
    const list = bySource.get(key);
    if (list) list.push(m);
    else bySource.set(key, [m]);
  }
  const entries: EffectiveAccess[] = [];
  for (const project of scope.projects) {
    // Nearest first: the project, then its group, then up; a later source wins only with a higher level.
    const sources: MembershipSource[] = [{ type: 'project', id: project.id }, ...chainOf(scope, project.namespace_id).map((id) => ({ type: 'namespace' as const, id }))];
    const best = new Map<number, EffectiveAccess>();
    for (const source of sources) {
      for (const m of bySource.get(`${source.type}:${source.id}`) ?? []) {
        const seen = best.get(m.id);
        if (seen && seen.accessLevel >= m.access_level) continue;
        best.set(m.id, {
          project,
          user: { id: m.id, username: m.username, name: m.name, state: m.state },
          accessLevel: m.access_level,
          source,
          inheritedFrom: source.type === 'namespace' ? scope.namespaces.get(source.id)! : null,
          expiresAt: m.expires_at,
        });
      }
    }
    entries.push(...[...best.values()].sort((a, b) => a.user.username.localeCompare(b.user.username)));
  }
  return entries;
}
