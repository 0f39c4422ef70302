import { useState } from 'react';
import { api } from '../api';
import { DateTime } from '../ui/date-time';
import { Empty, Loaded } from '../ui/states';
import { useApi } from '../ui/use-api';
import { NewSecret } from './NewSecret';
import { TokenForm } from './TokenForm';

interface TokenRow {
  id: number;
  name: string;
  scopes: string[];
  revoked: boolean;
  expires_at: string | null;
  last_used_at?: string | null;
  created_at?: string;
}

/** Lists, creates (secret shown once) and revokes personal or deploy tokens at one API collection. */
export function TokensSection(props: {
  title: string;
  listPath: string;
  createPath: string;
  revokePath: (id: number) => string;
  scopes: string[];
  defaultScopes: string[];
}) {
  const [tokens, reload] = useApi<TokenRow[]>(props.listPath);
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const revoke = async (token: TokenRow) => {
    if (!window.confirm(`Revoke “${token.name}”? Clients using it stop working immediately.`)) return;
    setError(null);
    try {
      await api.delete(props.revokePath(token.id));
      reload();
    } catch (caught) {
      setError((caught as Error).message);
    }
  };

  return (
    <section className="panel" aria-label={props.title}>
      <h2>{props.title}</h2>
      {created && <NewSecret name={created.name} secret={created.token} onDone={() => setCreated(null)} />}
      <Loaded loadable={tokens} retry={reload} what="Loading tokens">
        {(list) =>
          list.length === 0 ? (
            <Empty>No tokens yet.</Empty>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Scopes</th>
                    <th scope="col">Expires</th>
                    <th scope="col">Last used</th>
                    <th scope="col">State</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((token) => (
                    <tr key={token.id}>
                      <td>{token.name}</td>
                      <td>{token.scopes.join(', ')}</td>
                      <td>{token.expires_at ?? 'never'}</td>
                      <td>{token.last_used_at ? <DateTime iso={token.last_used_at} /> : '—'}</td>
                      <td>{token.revoked ? 'revoked' : 'active'}</td>
                      <td>
                        {!token.revoked && (
                          <button type="button" onClick={() => void revoke(token)} aria-label={`Revoke ${token.name}`}>
                            Revoke
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
      {error && (
        <p className="state error" role="alert">
          {error}
        </p>
      )}
      <h3>New token</h3>
      <TokenForm
        scopes={props.scopes}
        defaultScopes={props.defaultScopes}
        onCreate={async (body) => {
          const result = await api.post<{ name: string; token: string }>(props.createPath, body);
          setCreated({ name: result.name, token: result.token });
          reload();
        }}
      />
    </section>
  );
}
