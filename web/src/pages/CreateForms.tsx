import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { navigate, routes } from '../router';
import { useSession } from '../session';
import type { Group, Project } from '../types';
import { ReadOnlyNote, tokenScopeBlock } from '../ui/write-access';

// A newcomer's first steps without curl: a group, then a project to publish into.

function useSubmit(run: (form: FormData) => Promise<string>) {
  const [error, setError] = useState<string | null>(null);
  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setError(null);
    try {
      navigate(await run(new FormData(event.currentTarget)));
    } catch (caught) {
      setError((caught as Error).message);
    }
  };
  return { error, onSubmit };
}

function FormError({ error }: { error: string | null }) {
  return error ? (
    <p className="state error" role="alert">
      {error}
    </p>
  ) : null;
}

export function CreateForms({ groups }: { groups: Group[] }) {
  const { session } = useSession();
  const group = useSubmit(async (form) => {
    const path = String(form.get('path'));
    const created = await api.post<Group>('/api/v4/groups', { name: path, path, visibility: String(form.get('visibility')) });
    return routes.group(created.full_path);
  });
  const project = useSubmit(async (form) => {
    const created = await api.post<Project>('/api/v4/projects', { name: String(form.get('path')), path: String(form.get('path')), namespace_id: String(form.get('namespace')) });
    return routes.project(created.path_with_namespace);
  });
  const blocked = tokenScopeBlock(session, 'creating groups and projects');
  if (blocked) return <ReadOnlyNote>{blocked}</ReadOnlyNote>;
  return (
    <details className="panel create">
      <summary>Create a group or a project</summary>
      <div className="columns">
        <form onSubmit={group.onSubmit} aria-label="New group">
          <h3>New group</h3>
          <label>
            Group path
            <input name="path" required pattern="[A-Za-z0-9][A-Za-z0-9_.\-]*" />
          </label>
          <label>
            Visibility
            <select name="visibility" defaultValue="private">
              <option value="private">private</option>
              <option value="internal">internal</option>
              <option value="public">public</option>
            </select>
          </label>
          <FormError error={group.error} />
          <button type="submit">Create group</button>
        </form>
        <form onSubmit={project.onSubmit} aria-label="New project">
          <h3>New project</h3>
          <label>
            In
            <select name="namespace" defaultValue={session?.user.username}>
              {session && <option value={session.user.username}>{session.user.username} (your namespace)</option>}
              {groups.map((g) => (
                <option key={g.id} value={g.full_path}>
                  {g.full_path}
                </option>
              ))}
            </select>
          </label>
          <label>
            Project path
            <input name="path" required pattern="[A-Za-z0-9][A-Za-z0-9_.\-]*" />
          </label>
          <FormError error={project.error} />
          <button type="submit">Create project</button>
        </form>
      </div>
    </details>
  );
}
