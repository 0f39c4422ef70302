import { OWNER, useMayChange } from '../ui/use-may-change';

/** Whether this sign-in may set and release the project's legal holds: owners (and administrators), with a token that may write. */
export function useHoldsOwner(projectPath: string): boolean {
  return useMayChange(projectPath, OWNER, 'legal holds') === true;
}
