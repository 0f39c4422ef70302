import { useState, type FormEvent } from 'react';

/** Name, scopes and optional expiry of a new personal or deploy token. */
export function TokenForm({ scopes, defaultScopes, onCreate }: { scopes: string[]; defaultScopes: string[]; onCreate: (body: { name: string; scopes: string[]; expires_at?: string }) => Promise<void> }) {
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setError(null);
    try {
      const expires = String(form.get('expires_at') ?? '');
      await onCreate({ name: String(form.get('name')), scopes: form.getAll('scopes').map(String), ...(expires ? { expires_at: expires } : {}) });
      formElement.reset();
    } catch (caught) {
      setError((caught as Error).message);
    }
  };
  return (
    <form className="token-form" onSubmit={submit}>
      <label>
        Token name
        <input name="name" required maxLength={255} />
      </label>
      <fieldset>
        <legend>Scopes</legend>
        {scopes.map((scope) => (
          <label key={scope} className="checkbox">
            <input type="checkbox" name="scopes" value={scope} defaultChecked={defaultScopes.includes(scope)} />
            {scope}
          </label>
        ))}
      </fieldset>
      <label>
        Expires on (optional)
        <input type="date" name="expires_at" />
      </label>
      {error && (
        <p className="state error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="primary">
        Create token
      </button>
    </form>
  );
}
