import type { ReactNode } from 'react';
import { ApiError } from '../api';
import type { Loadable } from './use-api';

// Every view has the same three non-data states, announced to screen readers.

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="state loading" role="status" aria-live="polite">
      {what}…
    </p>
  );
}

export function ErrorState({ error, retry }: { error: Error; retry?: () => void }) {
  const hint =
    error instanceof ApiError && error.status === 403
      ? 'You do not have the rights to see this.'
      : error instanceof ApiError && error.status === 404
        ? 'It does not exist, or you cannot see it.'
        : null;
  return (
    <div className="state error" role="alert">
      <p>
        <strong>Could not load this.</strong> {error.message}
      </p>
      {hint && <p>{hint}</p>}
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state empty">{children}</p>;
}

/** Renders the loading/error states of `loadable`, or `children(data, headers)` when ready. */
export function Loaded<T>({ loadable, retry, what, children }: { loadable: Loadable<T>; retry?: () => void; what?: string; children: (data: T, headers: Headers) => ReactNode }) {
  if (loadable.state === 'loading') return <Loading what={what} />;
  if (loadable.state === 'error') return <ErrorState error={loadable.error} retry={retry} />;
  return <>{children(loadable.data, loadable.headers)}</>;
}
