import { useState, type FormEvent } from 'react';
import { api, ApiError, apiPath, enc } from '../api';
import { useSession } from '../session';
import type { Member, User } from '../types';
import { Link, routes } from '../router';
import { ScopeHeader } from '../ui/scope-header';
import { Empty, Loaded } from '../ui/states';
import { useApi } from '../ui/use-api';
import { ReadOnlyNote, tokenScopeBlock } from '../ui/write-access';
import { ACCESS_LEVELS, levelName, memberErrorText } from './access-levels';

type Kind = 'groups' | 'projects';

/** Direct members of a group or project: list (level, expiry), add, change level, remove. */
export function MembersPage({ kind, fullPath }: { kind: Kind; fullPath: string }) {
  const { session } = useSession();
  const base = apiPath(`/${kind}/${enc(fullPath)}/members`);
  const [members, reload] = useApi<Member[]>(apiPath(`/${kind}/${enc(fullPath)}/members`, { per_page: '100' }));
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const what = kind === 'groups' ? 'group' : 'project';
  // The caller's own level here (inherited included; administrators pass as owners): below
  // maintainer, no form is offered, and the page says why instead of letting each change fail.
  const [mine] = useApi<Member>(session && !session.user.is_admin ? apiPath(`/${kind}/${enc(fullPath)}/members/all/${session.user.id}`) : null);
  const ownLevel = session?.user.is_admin ? 50 : mine.state === 'ready' ? mine.data.access_level : 0;
  const roleBlock =
    session?.user.is_admin || mine.state === 'loading' || ownLevel >= 40
      ? null
      : `Only maintainers and owners of the ${what} ${fullPath} can change its members${ownLevel > 0 ? `; you are ${levelName(ownLevel)} here` : ''}.`;
  const blocked = tokenScopeBlock(session, 'changing members') ?? roleBlock;
  const canChange = !blocked && (session?.user.is_admin === true || mine.state !== 'loading');

  /** Runs one change; says what happened, or why it was refused, in words. */
  const change = async (done: string, request: () => Promise<unknown>) => {
    setMessage(null);
    try {
      await request();
      setMessage({ ok: true, text: `${done} The change is recorded in the audit log.` });
      reload();
    } catch (error) {
      setMessage({ ok: false, text: memberErrorText(error, what) });
    }
  };

  const add = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const username = String(form.get('username') ?? '').trim();
    const level = Number(form.get('access_level'));
    const expiresAt = String(form.get('expires_at') ?? '');
    await change(`Added ${username} as ${levelName(level)}${expiresAt ? ` until ${expiresAt}` : ''}.`, async () => {
      const [user] = await api.get<User[]>(apiPath('/users', { username }));
      if (!user) throw new ApiError(404, `There is no user named “${username}”.`);
      await api.post(base, { user_id: user.id, access_level: level, ...(expiresAt ? { expires_at: expiresAt } : {}) });
      formElement.reset();
    });
  };

  return (
    <section>
      <ScopeHeader kind={kind} fullPath={fullPath} current="members" />
      <h2>Members</h2>
      <p className="muted small">Direct members of this {what}. {kind === 'groups' ? 'They also have their level in its subgroups and projects.' : 'Members of its group have their group level here too.'}</p>
      {kind === 'groups' && ownLevel >= 50 && (
        <p>
          <Link to={routes.accessReview(fullPath)}>Access review</Link>
          <span className="muted small"> — who can reach each project and which credentials can write, as CSV, marked completed in the audit log.</span>
        </p>
      )}
      {blocked && <ReadOnlyNote>{blocked}</ReadOnlyNote>}
      {message && (
        <p className={`state ${message.ok ? 'ok' : 'error'}`} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
      <Loaded loadable={members} retry={reload} what="Loading members">
        {(list) =>
          list.length === 0 ? (
            <Empty>No direct members.</Empty>
          ) : (
            <div className="table-wrap">
              <table className="stack">
                <caption className="sr-only">Members</caption>
                <thead>
                  <tr>
                    <th scope="col">User</th>
                    <th scope="col">Access level</th>
                    <th scope="col">Expires</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((member) => (
                    <tr key={member.id}>
                      <td data-label="User">
                        {member.username}
                        {member.name && member.name !== member.username && <div className="muted small">{member.name}</div>}
                      </td>
                      <td data-label="Access level">
                        {!canChange ? (
                          levelName(member.access_level)
                        ) : (
                          <select
                            aria-label={`Access level of ${member.username}`}
                            value={member.access_level}
                            onChange={(e) => {
                              const level = Number(e.currentTarget.value);
                              void change(`${member.username} is now ${levelName(level)}.`, () => api.put(`${base}/${member.id}`, { access_level: level }));
                            }}
                          >
                            {ACCESS_LEVELS.map((l) => (
                              <option key={l.value} value={l.value}>
                                {l.label}
                              </option>
                            ))}
                          </select>
                        )}
                      </td>
                      <td data-label="Expires">{member.expires_at ?? 'never'}</td>
                      <td className="actions">
                        {canChange && (
                          <button
                            type="button"
                            aria-label={`Remove ${member.username}`}
                            onClick={() => {
                              if (!window.confirm(`Remove ${member.username} from ${fullPath}?`)) return;
                              void change(`Removed ${member.username}.`, () => api.delete(`${base}/${member.id}`));
                            }}
                          >
                            Remove
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
      {canChange && (
        <form className="filters" onSubmit={(e) => void add(e)} aria-label="Add a member">
          <label>
            Username
            <input name="username" required maxLength={255} autoComplete="off" />
          </label>
          <label>
            Access level
            <select name="access_level" defaultValue="30">
              {ACCESS_LEVELS.map((l) => (
                <option key={l.value} value={l.value}>
                  {l.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Expires (optional, UTC)
            <input name="expires_at" type="date" />
          </label>
          <button type="submit" className="primary">
            Add member
          </button>
        </form>
      )}
    </section>
  );
}
