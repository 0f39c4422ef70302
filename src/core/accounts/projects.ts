import type { Db } from '../../storage/db/database.js';
import { findRow } from '../../storage/db/row-lookup.js';
import type { ProjectsTable } from '../../storage/db/schema.js';
import { nowIso } from '../clock.js';
import { errors } from '../errors.js';
import type { Visibility } from './access-levels.js';
import { assertVisibility, fullPathTaken, isNumericRef, type Namespace } from './namespaces.js';
import { assertValidName, assertValidPath } from './paths.js';

export type Project = Omit<ProjectsTable, 'id'> & { id: number };

export async function findProject(db: Db, ref: string | number): Promise<Project | undefined> {
  if (typeof ref === 'number' || isNumericRef(ref)) return findRow(db, 'projects', { id: Number(ref) });
  return findRow(db, 'projects', { full_path: ref });
}

export interface NewProject {
  name?: string;
  path?: string;
  namespace: Namespace;
  visibility?: Visibility;
  description?: string;
}

export async function createProject(db: Db, input: NewProject): Promise<Project> {
  const path = assertValidPath(input.path ?? input.name, 'path');
  const name = assertValidName(input.name ?? path, 'name');
  const visibility = assertVisibility(input.visibility);
  const fullPath = `${input.namespace.full_path}/${path}`;
  return db.transaction().execute(async (tx) => {
    if (await fullPathTaken(tx, fullPath)) throw errors.badRequest('Failed to save project {:path=>["has already been taken"]}');
    return tx
      .insertInto('projects')
      .values({
        namespace_id: input.namespace.id,
        name,
        path,
        full_path: fullPath,
        visibility,
        description: input.description ?? '',
        created_at: nowIso(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

export function projectToApi(project: Project, namespace: Namespace, baseUrl: string) {
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
