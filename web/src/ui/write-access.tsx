import type { ReactNode } from 'react';
import type { Session } from '../types';

// Sign-ins that may read but not change: the UI offers them no form, and says why instead.

/**
 * Why this sign-in cannot make `change` through the REST API, or null: a token sign-in without the
 * api scope (REST writes need it, whatever the user's role), e.g.
 * Signed in with token “ci-read” (read_api): changing settings needs the api scope.
 */
export function tokenScopeBlock(session: Session | null, change: string): string | null {
  const token = session?.token;
  if (!token || token.scopes.includes('api')) return null;
  return `Signed in with token “${token.name}” (${token.scopes.join(', ')}): ${change} needs the api scope.`;
}

export function ReadOnlyNote({ children }: { children: ReactNode }) {
  return (
    <p className="state read-only" role="note">
      {children}
    </p>
  );
}
