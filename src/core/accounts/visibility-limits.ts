import type { Tx } from '../../storage/db/database.js';
import { errors } from '../errors.js';
import { VISIBILITIES, type Visibility } from './access-levels.js';
import type { Namespace } from './namespaces.js';

// As in GitLab, nothing is more visible than the group that holds it: a public project in a
// private group would show anonymous callers the group's path and packages its owners meant to
// keep private. Kept on every change that could break it: creating a project or subgroup, raising
// a child's visibility, lowering a group's, and moving a project or group under another group.
// User namespaces set no limit.

const rank = (visibility: Visibility): number => VISIBILITIES.indexOf(visibility);

/** Throws when `visibility` is more than `parent` (a group) allows. */
export function assertAllowedInParent(visibility: Visibility, parent: Pick<Namespace, 'kind' | 'visibility'> | null): void {
  if (parent === null || parent.kind !== 'group' || rank(visibility) <= rank(parent.visibility)) return;
  throw errors.badRequest(`visibility ${visibility} is not allowed in a ${parent.visibility} group`);
}

/** Throws when lowering `group` to `visibility` would leave a subgroup or project more visible than it. */
export async function assertNoChildAbove(tx: Tx, group: Pick<Namespace, 'id'>, visibility: Visibility): Promise<void> {
  const above = VISIBILITIES.filter((v) => rank(v) > rank(visibility));
  if (above.length === 0) return;
  const subgroup = await tx.selectFrom('namespaces').select('id').where('parent_id', '=', group.id).where('visibility', 'in', above).executeTakeFirst();
  if (subgroup) throw errors.badRequest(`visibility ${visibility} is not allowed since there are subgroups with higher visibility`);
  const project = await tx.selectFrom('projects').select('id').where('namespace_id', '=', group.id).where('visibility', 'in', above).executeTakeFirst();
  if (project) throw errors.badRequest(`visibility ${visibility} is not allowed since this group contains projects with higher visibility`);
}
