import Type from 'typebox';
import { AccessLevel, VALID_ACCESS_LEVELS, VISIBILITIES } from '../core/accounts/access-levels.js';
import type { Principal } from '../core/tokens/principal.js';
import { flagValue, oneOf, queryFlag } from './pagination.js';
import type { Static } from './schemas.js';

// GitLab's filters of the /projects and /groups lists by the caller's own membership and by
// visibility (python-gitlab's gl.projects.list(owned=True), membership=True, min_access_level=30,
// visibility='public'). Ignoring them would hand a script everything the caller may see instead.

export const MEMBERSHIP_LIST_QUERY = {
  owned: queryFlag,
  membership: queryFlag,
  min_access_level: Type.Unsafe<number>({ type: 'integer', enum: VALID_ACCESS_LEVELS }),
  visibility: oneOf(VISIBILITIES),
};

/** The membership filters of a list query, as its schema (MEMBERSHIP_LIST_QUERY) typed them. */
export type MembershipListQuery = { [K in keyof typeof MEMBERSHIP_LIST_QUERY]?: Static<(typeof MEMBERSHIP_LIST_QUERY)[K]> };

export interface MembershipListFilter {
  /** The level the caller must hold themself (an administrator's pass counts for nothing here), or null. */
  ownLevel: number | null;
  visibility: string | undefined;
}

export function membershipListFilter(q: MembershipListQuery): MembershipListFilter {
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

// GitLab's order_by and sort on the /projects and /groups lists. Defaults: projects newest first (as
// GitLab), groups by full path, so that a subgroup follows its parent (GitLab's default is name).
// Trove keeps no activity time: updated_at and last_activity_at order by creation.
const PROJECT_ORDER = { id: 'id', name: 'name', path: 'path', created_at: 'id', updated_at: 'id', last_activity_at: 'id' } as const;
const GROUP_ORDER = { name: 'name', path: 'full_path', id: 'id' } as const;

const keysOf = <T extends object>(value: T) => Object.keys(value) as (keyof T & string)[];
const SORT = oneOf(['asc', 'desc']);
export const projectOrderQuery = { order_by: oneOf(keysOf(PROJECT_ORDER)), sort: SORT };
export const groupOrderQuery = { order_by: oneOf(keysOf(GROUP_ORDER)), sort: SORT };

/** An order_by and sort, as the list's schema typed them. */
type OrderQuery<Columns> = { order_by?: keyof Columns; sort?: Static<typeof SORT> };

type Sortable = { id: number; name: string; path?: string; full_path: string };

function sortBy<T extends Sortable>(items: T[], column: 'id' | 'name' | 'path' | 'full_path', direction: 'asc' | 'desc'): T[] {
  const sign = direction === 'asc' ? 1 : -1;
  return [...items].sort((a, b) => {
    const order = column === 'id' ? a.id - b.id : String(a[column]).localeCompare(String(b[column]));
    return sign * (order || a.id - b.id);
  });
}

export function orderProjects<T extends Sortable>(items: T[], q: OrderQuery<typeof PROJECT_ORDER>): T[] {
  return sortBy(items, PROJECT_ORDER[q.order_by ?? 'created_at'], q.sort ?? 'desc');
}

export function orderGroups<T extends Sortable>(items: T[], q: OrderQuery<typeof GROUP_ORDER>): T[] {
  return sortBy(items, GROUP_ORDER[q.order_by ?? 'path'], q.sort ?? 'asc');
}
