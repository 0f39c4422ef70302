import { useSession } from '../session';
import { useAccessLevel } from './use-access-level';
import { tokenScopeBlock } from './write-access';

export const MAINTAINER = 40;
export const OWNER = 50;

/**
 * Whether this sign-in should be offered `change` in the project: its role there is at least
 * `minimumLevel` and its token (if it signed in with one) may write; null while its role loads,
 * false for no project (`projectPath` null). The API
 * stays the judge (protection rules, holds); this only decides which buttons to show.
 */
export function useMayChange(projectPath: string | null, minimumLevel: number, change: string): boolean | null {
  const level = useAccessLevel('projects', projectPath);
  const { session } = useSession();
  if (level === null) return null;
  return level >= minimumLevel && tokenScopeBlock(session, change) === null;
}
