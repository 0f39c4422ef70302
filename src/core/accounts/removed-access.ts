import type { Tx } from '../../storage/db/database.js';
import type { Changes } from '../audit/audit-types.js';

/**
 * Removes the memberships and deploy tokens of a group or project being deleted and returns them
 * as the `changes` of its `group_deleted` / `project_deleted` event (null when there were none):
 * the log alone then says who lost access, and which still-valid deploy tokens stopped working.
 */
export async function removeAccessTo(tx: Tx, source: { type: 'namespace' | 'project'; id: number }): Promise<Changes | null> {
  const members = await tx
    .selectFrom('members')
    .innerJoin('users', 'users.id', 'members.user_id')
    .select(['users.id', 'users.username', 'members.access_level', 'members.expires_at'])
    .where('members.source_type', '=', source.type)
    .where('members.source_id', '=', source.id)
    .orderBy('users.id')
    .execute();
  const tokens = await tx
    .selectFrom('deploy_tokens')
    .select(['id', 'name'])
    .where('owner_type', '=', source.type)
    .where('owner_id', '=', source.id)
    .where('revoked', '=', 0)
    .orderBy('id')
    .execute();
  await tx.deleteFrom('deploy_tokens').where('owner_type', '=', source.type).where('owner_id', '=', source.id).execute();
  await tx.deleteFrom('members').where('source_type', '=', source.type).where('source_id', '=', source.id).execute();
  const changes: Changes = {};
  if (members.length > 0) changes.members = { from: members, to: [] };
  if (tokens.length > 0) changes.deploy_tokens = { from: tokens, to: [] };
  return Object.keys(changes).length > 0 ? changes : null;
}
