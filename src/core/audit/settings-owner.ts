import type { Tx } from '../../storage/db/database.js';
import type { Namespace } from '../accounts/namespaces.js';
import type { Project } from '../accounts/projects.js';
import { loadProjectScope, namespaceScope } from './audit-scope.js';
import type { AuditEventInput } from './audit-types.js';

/**
 * Who a settings record (a protection rule, a trusted publisher, a Debian distribution) belongs to:
 * a project, or a group whose projects inherit it. Its events are stored where the owner's are.
 */
export type SettingsOwner = { kind: 'project'; project: Project } | { kind: 'group'; group: Namespace };

export function settingsOwnerPath(owner: SettingsOwner): string {
  return owner.kind === 'project' ? owner.project.full_path : owner.group.full_path;
}

/** The scope and project of an event about the owner's settings: the project's (its group's), or the group's without a project. */
export async function settingsOwnerAudit(tx: Tx, owner: SettingsOwner): Promise<Pick<AuditEventInput, 'scope' | 'project'>> {
  if (owner.kind === 'group') return { scope: namespaceScope(owner.group), project: null };
  return { scope: await loadProjectScope(tx, owner.project), project: { id: owner.project.id, full_path: owner.project.full_path } };
}
