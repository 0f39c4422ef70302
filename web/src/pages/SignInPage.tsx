import { useState, type FormEvent } from 'react';
import { ApiError } from '../api';
import { useSession } from '../session';

/** Username/email and password, or a personal access token (the bootstrap admin has only a token). */
export function SignInPage() {
  const { signIn } = useSession();
  const [mode, setMode] = useState<'password' | 'token'>('password');
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(mode === 'password' ? { login, password } : { token });
    } catch (caught) {
      setError(caught instanceof ApiError && caught.status === 401 ? (mode === 'password' ? 'Wrong username or password.' : 'This token is not valid.') : String((caught as Error).message));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="sign-in">
      <h1>Sign in to Trove</h1>
      <div className="segmented" role="group" aria-label="Sign-in method">
        <button type="button" aria-pressed={mode === 'password'} onClick={() => setMode('password')}>
          Password
        </button>
        <button type="button" aria-pressed={mode === 'token'} onClick={() => setMode('token')}>
          Access token
        </button>
      </div>
      <form onSubmit={submit}>
        {mode === 'password' ? (
          <>
            <label>
              Username or email
              <input name="login" autoComplete="username" required value={login} onChange={(e) => setLogin(e.target.value)} />
            </label>
            <label>
              Password
              <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
            </label>
          </>
        ) : (
          <label>
            Personal access token
            <input name="token" type="password" autoComplete="off" required value={token} onChange={(e) => setToken(e.target.value)} />
            <small>The first start prints root’s token (glpat-…). You act with that token’s rights, and the audit log names it.</small>
          </label>
        )}
        {error && (
          <p className="state error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </section>
  );
}
