import type { Project as ProjectContract } from '../../contracts/namespaces.js';
import type { Db } from '../../storage/db/database.js';
import { findRow } from '../../storage/db/row-lookup.js';
import type { ProjectsTable } from '../../storage/db/schema.js';
import { isNumericRef, isRowId, type Namespace } from './namespaces.js';

export type Project = Omit<ProjectsTable, 'id'> & { id: number };

export async function findProject(db: Db, ref: string | number): Promise<Project | undefined> {
  if (typeof ref === 'number' || isNumericRef(ref)) return isRowId(Number(ref)) ? findRow(db, 'projects', { id: Number(ref) }) : undefined;
  return findRow(db, 'projects', { full_path: ref });
}

export function projectToApi(project: Project, namespace: Namespace, baseUrl: string): ProjectContract {
  return {
    id: project.id,
    name: project.name,
    path: project.path,
    name_with_namespace: `${namespace.full_path.split('/').join(' / ')} / ${project.name}`,
    path_with_namespace: project.full_path,
    description: project.description,
    visibility: project.visibility,
    created_at: project.created_at,
    web_url: `${baseUrl}/${project.full_path}`,
    namespace: {
      id: namespace.id,
      name: namespace.name,
      path: namespace.path,
      kind: namespace.kind,
      full_path: namespace.full_path,
      parent_id: namespace.parent_id,
    },
  };
}
