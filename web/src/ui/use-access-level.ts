import { apiPath, enc } from '../api';
import { useSession } from '../session';
import type { Member } from '../types';
import { useApi } from './use-api';

/**
 * The signed-in user's access level in a group or project (inherited memberships included), so that
 * a page offers only the changes the API would accept: 50 for administrators, 0 for non-members,
 * null while loading; 0 for no group or project (`fullPath` null). The API stays the judge; this
 * only decides which buttons to show.
 */
export function useAccessLevel(kind: 'groups' | 'projects', fullPath: string | null): number | null {
  const { session } = useSession();
  const user = session?.user;
  const [member] = useApi<Member>(user && !user.is_admin && fullPath !== null ? apiPath(`/${kind}/${enc(fullPath)}/members/all/${user.id}`) : null);
  if (!user || fullPath === null) return 0;
  if (user.is_admin) return 50;
  if (member.state === 'ready') return member.data.access_level;
  return member.state === 'error' ? 0 : null;
}
