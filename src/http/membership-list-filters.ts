import { AccessLevel, VALID_ACCESS_LEVELS, VISIBILITIES } from '../core/accounts/access-levels.js';
import type { Principal } from '../core/tokens/principal.js';
import { flagValue, oneOf, queryFlag } from './pagination.js';

// GitLab's filters of the /projects and /groups lists by the caller's own membership and by
// visibility (python-gitlab's gl.projects.list(owned=True), membership=True, min_access_level=30,
// visibility='public'). Ignoring them would hand a script everything the caller may see instead.

export const MEMBERSHIP_LIST_QUERY = {
  owned: queryFlag,
  membership: queryFlag,
  min_access_level: { type: 'integer', enum: VALID_ACCESS_LEVELS },
  visibility: oneOf(VISIBILITIES),
};

export interface MembershipListFilter {
  /** The level the caller must hold themself (an administrator's pass counts for nothing here), or null. */
  ownLevel: number | null;
  visibility: string | undefined;
}

export function membershipListFilter(query: unknown): MembershipListFilter {
  const q = (query ?? {}) as { owned?: string; membership?: string; min_access_level?: number; visibility?: string };
  let ownLevel: number | null = null;
  if (flagValue(q.membership)) ownLevel = AccessLevel.guest;
  if (q.min_access_level !== undefined) ownLevel = Math.max(ownLevel ?? 0, q.min_access_level);
  if (flagValue(q.owned)) ownLevel = AccessLevel.owner;
  return { ownLevel, visibility: q.visibility };
}

/**
 * Whether an item the caller may see passes the filter; `ownLevelOf` reads the caller's own level
 * on it (only asked when the filter needs it). Without a user there is no membership to match.
 */
export async function passesMembershipFilter(
  filter: MembershipListFilter,
  principal: Principal,
  item: { visibility: string },
  ownLevelOf: (userId: number) => Promise<number>,
): Promise<boolean> {
  if (filter.visibility !== undefined && item.visibility !== filter.visibility) return false;
  if (filter.ownLevel === null) return true;
  if (principal.kind !== 'user') return false;
  return (await ownLevelOf(principal.user.id)) >= filter.ownLevel;
}
