import type { Db } from '../../storage/db/database.js';
import { namespaceOfProject, type Namespace } from '../accounts/namespaces.js';
import type { Project } from '../accounts/projects.js';
import type { AuditScope } from './audit-types.js';

/**
 * docs/architecture.md#scope-and-visibility: a project's events belong to its direct parent group; a project in a user
 * namespace holds its own events.
 */
export function projectScope(project: Project, namespace: Namespace): AuditScope {
  if (namespace.kind === 'group') {
    return { entityType: 'Group', entityId: namespace.id, entityPath: namespace.full_path, settingNamespaceId: namespace.id };
  }
  return { entityType: 'Project', entityId: project.id, entityPath: project.full_path, settingNamespaceId: namespace.id };
}

export async function loadProjectScope(db: Db, project: Project): Promise<AuditScope> {
  return projectScope(project, await namespaceOfProject(db, project));
}

/** Events about a namespace itself (settings, deploy tokens): a group, or the user owning a personal namespace. */
export function namespaceScope(namespace: Namespace): AuditScope {
  if (namespace.kind === 'group') {
    return { entityType: 'Group', entityId: namespace.id, entityPath: namespace.full_path, settingNamespaceId: namespace.id };
  }
  return { entityType: 'User', entityId: namespace.owner_user_id ?? 0, entityPath: namespace.full_path, settingNamespaceId: namespace.id };
}

/** Where an event about a group or project itself (lifecycle, members, deploy tokens) is stored, and the project it concerns. */
export interface SubjectAudit {
  scope: AuditScope;
  project: { id: number; full_path: string } | null;
}

export function groupSubject(group: Namespace): SubjectAudit {
  return { scope: namespaceScope(group), project: null };
}

export function projectSubject(project: Project, namespace: Namespace): SubjectAudit {
  return { scope: projectScope(project, namespace), project: { id: project.id, full_path: project.full_path } };
}

export const INSTANCE_SCOPE: AuditScope = { entityType: 'Instance', entityId: 0, entityPath: null, settingNamespaceId: null };

export function userScope(user: { id: number; username: string }): AuditScope {
  return { entityType: 'User', entityId: user.id, entityPath: user.username, settingNamespaceId: null };
}
