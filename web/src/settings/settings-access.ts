import { ApiError } from '../api';
import type { Session } from '../types';
import { tokenScopeBlock } from '../ui/write-access';

// What the settings panels of a group or user namespace (audit switches, format settings) share:
// why a sign-in may not change them, and how a refused change reads.

/** Why this sign-in gets no form (the token's scope first, then the role), or null when it may change the settings. */
export function settingsBlock(session: Session | null, canUpdate: boolean, kind: 'groups' | 'namespaces', fullPath: string): string | null {
  return (
    tokenScopeBlock(session, 'changing settings') ??
    (canUpdate ? null : `Only ${kind === 'groups' ? `owners of the group ${fullPath}` : `the owner of ${fullPath}`} can change these settings.`)
  );
}

/** A bare 403 means "not an owner"; a 403 with a reason (enforced by the instance, top-level owners only) says it. */
export function settingsRefusal(error: unknown): string {
  const bare = error instanceof ApiError && error.status === 403 && /^403 Forbidden$/.test(error.message);
  return bare ? 'Only owners can change these settings.' : (error as Error).message;
}
