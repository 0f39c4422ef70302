import type { Tx } from '../../storage/db/database.js';
import { errors } from '../errors.js';
import { fullPathAtOrBelow } from './namespaces.js';

// Container images are stored and pulled under their repository's name, which starts with the
// project's full path: a project that holds some cannot change its path, nor can a group above it,
// or every image would be lost to its clients under the old name. GitLab refuses these too; the
// repositories must be deleted (or the images moved by pushing them under the new path) first.

async function holdsImages(tx: Tx, projects: { projectId: number } | { below: string }): Promise<boolean> {
  let query = tx.selectFrom('container_repositories').select('container_repositories.id');
  query =
    'projectId' in projects
      ? query.where('project_id', '=', projects.projectId)
      : query.where('project_id', 'in', tx.selectFrom('projects').select('projects.id').where(fullPathAtOrBelow('projects.full_path', projects.below)));
  return (await query.limit(1).executeTakeFirst()) !== undefined;
}

/** 400 when the project holds container repositories: its path cannot change. */
export async function assertProjectPathMayChange(tx: Tx, projectId: number, change: 'renamed' | 'transferred'): Promise<void> {
  if (await holdsImages(tx, { projectId })) {
    throw errors.badRequest(`Project cannot be ${change}, because it holds container images; delete its container repositories first`);
  }
}

/** 400 when a project in the group or below it holds container repositories: the group's path cannot change. */
export async function assertGroupPathMayChange(tx: Tx, groupFullPath: string, change: 'renamed' | 'transferred'): Promise<void> {
  if (await holdsImages(tx, { below: groupFullPath })) {
    throw errors.badRequest(`Group cannot be ${change}, because a project in it holds container images; delete their container repositories first`);
  }
}
