import { sql } from 'kysely';
import type { Project } from '../core/accounts/projects.js';
import type { Db } from '../storage/db/database.js';

// A container repository is named `<namespace path>/<project path>[/<image path>]` and belongs to
// that project (as in GitLab's container registry). Names follow the OCI distribution grammar:
// lowercase components separated by `/`, each `[a-z0-9]+` joined by `.`, `_`, `__` or dashes.

const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const NAME = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const MAX_NAME_LENGTH = 255;

export function isRepositoryName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && NAME.test(name);
}

export interface RepositoryLocation {
  project: Project;
  /** The whole repository name, as clients send it. */
  name: string;
  /** The part below the project's path: '' for the project's own image. */
  imagePath: string;
}

/**
 * The project a repository name belongs to: the longest leading part of the name that is a
 * project's full path (a project path may itself contain what looks like an image path). One query.
 */
export async function locateRepository(db: Db, name: string): Promise<RepositoryLocation | undefined> {
  if (!isRepositoryName(name)) return undefined;
  const parts = name.split('/');
  const prefixes: string[] = [];
  for (let end = parts.length; end >= 2; end--) prefixes.push(parts.slice(0, end).join('/'));
  const project = await db
    .selectFrom('projects')
    .selectAll()
    .where('full_path', 'in', prefixes)
    .orderBy(sql`length(full_path)`, 'desc')
    .limit(1)
    .executeTakeFirst();
  if (project === undefined) return undefined;
  // full_path compares case-insensitively; the repository keeps the client's (lowercase) spelling.
  const imagePath = name.slice(project.full_path.length + 1);
  return { project, name, imagePath };
}
