import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, ApiError, setCsrfToken, setUnauthorizedHandler } from './api';
import type { Session } from './types';

// Who is signed in. The session cookie is HttpOnly; the page keeps only the CSRF token it was given.

interface SessionState {
  session: Session | null;
  loading: boolean;
  signIn(credentials: { login: string; password: string } | { token: string }): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(null);
  const [loading, setLoading] = useState(true);

  const accept = useCallback((next: Session | null) => {
    setCsrfToken(next?.csrf_token ?? null);
    setSession(next);
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => accept(null));
    api
      .get<Session>('/api/v4/session')
      .then(accept, (error: unknown) => {
        if (!(error instanceof ApiError && error.status === 401)) console.error(error);
        accept(null);
      })
      .finally(() => setLoading(false));
  }, [accept]);

  const signIn = useCallback(async (credentials: { login: string; password: string } | { token: string }) => {
    accept(await api.post<Session>('/api/v4/session', credentials));
  }, [accept]);

  const signOut = useCallback(async () => {
    await api.delete('/api/v4/session');
    accept(null);
  }, [accept]);

  return <SessionContext.Provider value={{ session, loading, signIn, signOut }}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}
