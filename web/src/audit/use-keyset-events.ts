import { useCallback, useEffect, useState } from 'react';
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

/**
 * Audit events newest first, with the API's keyset pagination (pagination=keyset, Link rel="next"):
 * each further page is an index range scan below the last id, as fast at millions of events as at ten.
 */
export function useKeysetEvents(path: string | null): KeysetEvents {
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [state, setState] = useState<KeysetEvents['state']>('loading');
  const [error, setError] = useState<Error | null>(null);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    if (path === null) return;
    let current = true;
    setState('loading');
    setEvents([]);
    apiRequest<AuditEvent[]>('GET', path).then(
      (page) => {
        if (!current) return;
        setEvents(page.items);
        setNext(nextLink(page.headers));
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
    if (!next) return;
    setState('loading');
    apiRequest<AuditEvent[]>('GET', next).then(
      (page) => {
        setEvents((previous) => [...previous, ...page.items]);
        setNext(nextLink(page.headers));
        setState('ready');
      },
      (caught: Error) => {
        setError(caught);
        setState('error');
      },
    );
  }, [next]);

  return { events, state, error, hasMore: next !== null, loadMore, reload: useCallback(() => setGeneration((n) => n + 1), []) };
}
