import type { Db } from '../../storage/db/database.js';
import type { Principal } from '../tokens/principal.js';
import { namespaceOfProject, type Namespace } from './namespaces.js';
import { groupVisible, projectAccess } from './permissions.js';
import type { Project } from './projects.js';

// The group and project reads of the REST API: what the principal may see, and where a project
// is. Routes translate HTTP into these calls and never query the database themselves.

/** Every group the principal may see, by full path (a subgroup follows its parent). */
export async function visibleGroups(db: Db, principal: Principal, filter: { search?: string; topLevelOnly?: boolean } = {}): Promise<Namespace[]> {
  const search = filter.search?.toLowerCase();
  const groups = await db.selectFrom('namespaces').selectAll().where('kind', '=', 'group').orderBy('full_path').execute();
  const visible: Namespace[] = [];
  for (const group of groups) {
    if (search && !group.full_path.toLowerCase().includes(search)) continue;
    if (filter.topLevelOnly && group.parent_id !== null) continue;
    if ((await groupVisible(db, principal, group)).visible) visible.push(group);
  }
  return visible;
}

/** The direct subgroups of `group` the principal may see, by path. */
export async function visibleSubgroups(db: Db, principal: Principal, group: Namespace): Promise<Namespace[]> {
  const children = await db.selectFrom('namespaces').selectAll().where('parent_id', '=', group.id).orderBy('path').execute();
  const visible: Namespace[] = [];
  for (const child of children) if ((await groupVisible(db, principal, child)).visible) visible.push(child);
  return visible;
}

/** The projects directly in `namespace` the principal may see, by path. */
export async function visibleProjectsIn(db: Db, principal: Principal, namespace: Namespace): Promise<Project[]> {
  const projects = await db.selectFrom('projects').selectAll().where('namespace_id', '=', namespace.id).orderBy('path').execute();
  const visible: Project[] = [];
  for (const project of projects) if ((await projectAccess(db, principal, project)).visible) visible.push(project);
  return visible;
}

/** Every project the principal may see, newest first; `search`: its full path contains it (ignoring case). */
export async function visibleProjects(db: Db, principal: Principal, filter: { search?: string } = {}): Promise<Project[]> {
  const search = filter.search?.toLowerCase();
  const projects = await db.selectFrom('projects').selectAll().orderBy('id', 'desc').execute();
  const visible: Project[] = [];
  for (const project of projects) {
    if (search && !project.full_path.toLowerCase().includes(search)) continue;
    if ((await projectAccess(db, principal, project)).visible) visible.push(project);
  }
  return visible;
}

/** The namespaces the projects are in, by id (each read once). */
export async function namespacesOfProjects(db: Db, projects: readonly Project[]): Promise<Map<number, Namespace>> {
  const namespaces = new Map<number, Namespace>();
  for (const project of projects) {
    if (!namespaces.has(project.namespace_id)) namespaces.set(project.namespace_id, await namespaceOfProject(db, project));
  }
  return namespaces;
}

/** A user's personal namespace (every user has one, created with the account). */
export async function personalNamespaceOf(db: Db, userId: number): Promise<Namespace | undefined> {
  return db.selectFrom('namespaces').selectAll().where('kind', '=', 'user').where('owner_user_id', '=', userId).executeTakeFirst();
}
