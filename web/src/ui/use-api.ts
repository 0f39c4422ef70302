import { useCallback, useEffect, useState } from 'react';
import { apiRequest, type ApiPage } from '../api';

export type Loadable<T> =
  | { state: 'loading' }
  | { state: 'error'; error: Error }
  | { state: 'ready'; data: T; headers: Headers };

/** GETs `path` (null: nothing yet) and reloads when it changes; `reload` fetches it again. */
export function useApi<T>(path: string | null): [Loadable<T>, () => void] {
  const [result, setResult] = useState<Loadable<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let current = true;
    setResult({ state: 'loading' });
    apiRequest<T>('GET', path).then(
      (page: ApiPage<T>) => current && setResult({ state: 'ready', data: page.items, headers: page.headers }),
      (error: Error) => current && setResult({ state: 'error', error }),
    );
    return () => {
      current = false;
    };
  }, [path, generation]);
  return [result, useCallback(() => setGeneration((n) => n + 1), [])];
}
