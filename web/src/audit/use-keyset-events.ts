import { useCallback, useEffect, useRef, useState } from 'react';
import { apiRequest, nextLink } from '../api';
import type { AuditEvent } from '../types';

export interface KeysetEvents {
  events: AuditEvent[];
  state: 'loading' | 'ready' | 'error';
  error: Error | null;
  /** Set while older events exist: the API's rel="next" keyset link. */
  hasMore: boolean;
  loadMore(): void;
  reload(): void;
}

/** What has been loaded, and for which path: rows of another filter are never shown under this one. */
interface Loaded {
  path: string | null;
  events: AuditEvent[];
  next: string | null;
}

/**
 * Audit events newest first, with the API's keyset pagination (pagination=keyset, Link rel="next"):
 * each further page is an index range scan below the last id, as fast at millions of events as at ten.
 */
export function useKeysetEvents(path: string | null): KeysetEvents {
  const [loaded, setLoaded] = useState<Loaded>({ path: null, events: [], next: null });
  const [state, setState] = useState<KeysetEvents['state']>('loading');
  const [error, setError] = useState<Error | null>(null);
  const [generation, setGeneration] = useState(0);
  // The path being shown now: a page that answers after the filters changed is dropped.
  const currentPath = useRef(path);
  currentPath.current = path;

  useEffect(() => {
    if (path === null) return;
    let current = true;
    setState('loading');
    setLoaded({ path, events: [], next: null });
    apiRequest<AuditEvent[]>('GET', path).then(
      (page) => {
        if (!current) return;
        setLoaded({ path, events: page.items, next: nextLink(page.headers) });
        setState('ready');
      },
      (caught: Error) => {
        if (!current) return;
        setError(caught);
        setState('error');
      },
    );
    return () => {
      current = false;
    };
  }, [path, generation]);

  const loadMore = useCallback(() => {
    const { path: forPath, next } = loaded;
    if (!next) return;
    setState('loading');
    apiRequest<AuditEvent[]>('GET', next).then(
      (page) => {
        if (currentPath.current !== forPath) return;
        setLoaded((previous) => (previous.path === forPath ? { path: forPath, events: [...previous.events, ...page.items], next: nextLink(page.headers) } : previous));
        setState('ready');
      },
      (caught: Error) => {
        if (currentPath.current !== forPath) return;
        setError(caught);
        setState('error');
      },
    );
  }, [loaded]);

  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  // Between a filter change and the effect that loads it, the rows of the old filter are not this list's.
  if (loaded.path !== path) return { events: [], state: 'loading', error: null, hasMore: false, loadMore, reload };
  return { events: loaded.events, state, error, hasMore: loaded.next !== null, loadMore, reload };
}
