import { useState } from 'react';
import { api, ApiError } from '../api';
import type { DeployToken, PersonalAccessToken } from '../types';
import { DateTime } from '../ui/date-time';
import { Empty, Loaded } from '../ui/states';
import { useApi } from '../ui/use-api';
import { ReadOnlyNote } from '../ui/write-access';
import { NewSecret } from './NewSecret';
import { TokenForm } from './TokenForm';

/** A row of either list: the fields personal and deploy tokens share. */
type TokenRow = PersonalAccessToken | DeployToken;

/**
 * Lists, creates (secret shown once) and revokes personal or deploy tokens at one API collection.
 * `writeBlock` (why this sign-in cannot change tokens) hides the form and Revoke; a list refused
 * with 403 shows `forbiddenText` and no form either.
 */
export function TokensSection(props: {
  title: string;
  listPath: string;
  createPath: string;
  revokePath: (id: number) => string;
  scopes: string[];
  defaultScopes: string[];
  writeBlock: string | null;
  forbiddenText: string;
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

  if (tokens.state === 'error' && tokens.error instanceof ApiError && tokens.error.status === 403) {
    return (
      <section className="panel" aria-label={props.title}>
        <h2>{props.title}</h2>
        <ReadOnlyNote>{props.forbiddenText}</ReadOnlyNote>
      </section>
    );
  }
  const writable = props.writeBlock === null;
  return (
    <section className="panel" aria-label={props.title}>
      <h2>{props.title}</h2>
      {!writable && <ReadOnlyNote>{props.writeBlock}</ReadOnlyNote>}
      {created && <NewSecret name={created.name} secret={created.token} onDone={() => setCreated(null)} />}
      <Loaded loadable={tokens} retry={reload} what="Loading tokens">
        {(list) =>
          list.length === 0 ? (
            <Empty>No tokens yet.</Empty>
          ) : (
            <div className="table-wrap">
              <table className="stack">
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
                      <td data-label="Name">{token.name}</td>
                      <td data-label="Scopes">{token.scopes.join(', ')}</td>
                      <td data-label="Expires">{token.expires_at ?? 'never'}</td>
                      <td data-label="Last used">{token.last_used_at ? <DateTime iso={token.last_used_at} /> : '—'}</td>
                      <td data-label="State">{token.revoked ? 'revoked' : 'active'}</td>
                      <td className="actions">
                        {writable && !token.revoked && (
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
      {writable && (
        <>
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
        </>
      )}
    </section>
  );
}
