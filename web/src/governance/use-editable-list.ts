import { useState } from 'react';
import { api, apiPath } from '../api';
import { useApi } from '../ui/use-api';

/**
 * A governance list at `base` (protection rules, trusted publishers): loaded 100 at a time (the
 * API's limits keep them fewer), one row edited inline at a time, deletes after a confirmation
 * with their refusal kept to show, adds and saves that let the form show their refusal.
 */
export function useEditableList<T extends { id: number }, Body>(base: string) {
  const [items, reload] = useApi<T[]>(apiPath(base, { per_page: '100' }));
  const [editing, setEditing] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const remove = async (item: T, question: string) => {
    if (!window.confirm(question)) return;
    setError(null);
    try {
      await api.delete(apiPath(`${base}/${item.id}`));
      reload();
    } catch (caught) {
      setError((caught as Error).message);
    }
  };
  const save = async (item: T, body: Body) => {
    await api.patch(apiPath(`${base}/${item.id}`), body);
    setEditing(null);
    reload();
  };
  const add = async (body: Body) => {
    await api.post(apiPath(base), body);
    reload();
  };
  return { items, reload, editing, setEditing, error, remove, save, add };
}
