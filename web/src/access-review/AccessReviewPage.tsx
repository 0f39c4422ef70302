import { useState } from 'react';
import { ApiError, apiPath, enc } from '../api';
import type { AccessReview } from '../types';
import { ScopeHeader } from '../ui/scope-header';
import { ErrorState, Loaded } from '../ui/states';
import { useApi } from '../ui/use-api';
import { AccessTable } from './AccessTable';
import { CompletionPanel } from './CompletionPanel';
import { CredentialsTable } from './CredentialsTable';

/** A group's access review for its owners: who can reach each project, which credentials can write, CSV, and "completed". */
export function AccessReviewPage({ fullPath }: { fullPath: string }) {
  const [review, reload] = useApi<AccessReview>(apiPath(`/groups/${enc(fullPath)}/access_review`));
  const [staleOnly, setStaleOnly] = useState(false);
  // Said outside the loaded view, which the reload after a completion replaces.
  const [completed, setCompleted] = useState(false);
  const onCompleted = () => {
    setCompleted(true);
    reload();
  };

  return (
    <section className="access-review">
      <ScopeHeader kind="groups" fullPath={fullPath} current="members" />
      <h2>Access review</h2>
      {completed && (
        <p className="state ok" role="status">
          Review marked completed. It is recorded in the group’s audit log.
        </p>
      )}
      {review.state === 'error' && review.error instanceof ApiError && review.error.status === 404 ? (
        <ErrorState error={new Error(`Only owners of the group ${fullPath} and administrators can see its access review.`)} />
      ) : (
        <Loaded loadable={review} retry={reload} what="Loading the access review">
          {(r) => (
            <>
              <p className="review-summary">
                {r.summary.members} members with {r.summary.access_entries} project accesses; {r.summary.credentials} credentials can write packages or images,{' '}
                <strong>{r.summary.stale_credentials} stale</strong> (unused for {r.stale_after_days} days, or never used and older than that).
              </p>
              <div className="export" role="group" aria-label="Export">
                {/* A plain link: the browser saves the API's CSV as the file the server names. */}
                <a className="button" href={apiPath(`/groups/${enc(fullPath)}/access_review.csv`)} download>
                  Download CSV
                </a>
              </div>
              <CompletionPanel fullPath={fullPath} last={r.last_completion} onCompleted={onCompleted} />
              <h3>Project access</h3>
              <p className="muted small">Each user’s highest level on each project of {fullPath} and its subgroups, and the member event that granted it.</p>
              <AccessTable entries={r.access} />
              <h3>Credentials that can write packages or images</h3>
              <label className="checkbox">
                <input type="checkbox" checked={staleOnly} onChange={(e) => setStaleOnly(e.currentTarget.checked)} />
                Stale only
              </label>
              <CredentialsTable credentials={r.credentials} staleOnly={staleOnly} />
            </>
          )}
        </Loaded>
      )}
    </section>
  );
}
