import { useSession } from '../session';
import { useAccessLevel } from '../ui/use-access-level';
import { tokenScopeBlock } from '../ui/write-access';

const OWNER = 50;

/** Whether this sign-in may set and release the project's legal holds: owners (and administrators), with a token that may write. */
export function useHoldsOwner(projectPath: string): boolean {
  const level = useAccessLevel('projects', projectPath);
  const { session } = useSession();
  return level !== null && level >= OWNER && tokenScopeBlock(session, 'legal holds') === null;
}
