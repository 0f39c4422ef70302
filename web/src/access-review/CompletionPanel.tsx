import { useState, type FormEvent } from 'react';
import { api, apiPath, enc } from '../api';
import { useSession } from '../session';
import type { AccessReviewCompletion } from '../types';
import { DateTime } from '../ui/date-time';
import { ReadOnlyNote, tokenScopeBlock } from '../ui/write-access';

/** The last completed review (who, when, note), and the form that records a new one in the audit log; a refusal is said here. */
export function CompletionPanel({ fullPath, last, onCompleted }: { fullPath: string; last: AccessReviewCompletion | null; onCompleted: () => void }) {
  const { session } = useSession();
  const [refusal, setRefusal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const blocked = tokenScopeBlock(session, 'marking the review completed');

  const complete = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const note = String(new FormData(form).get('note') ?? '').trim();
    setBusy(true);
    setRefusal(null);
    try {
      await api.post<AccessReviewCompletion>(apiPath(`/groups/${enc(fullPath)}/access_review/completions`), note ? { note } : {});
      form.reset();
      // The page reloads the review (and this panel with it) and says so.
      onCompleted();
    } catch (error) {
      setRefusal((error as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="review-completion">
      <h2 id="review-completion">Review</h2>
      <p className="last-completion">
        {last ? (
          <>
            Last completed by <strong>{last.completed_by.username ?? last.completed_by.type}</strong> on <DateTime iso={last.completed_at} />
            {last.note && <> — “{last.note}”</>}
          </>
        ) : (
          'No review of this group has been completed yet.'
        )}
      </p>
      {refusal && (
        <p className="state error" role="alert">
          {refusal}
        </p>
      )}
      {blocked ? (
        <ReadOnlyNote>{blocked}</ReadOnlyNote>
      ) : (
        <form className="filters" onSubmit={(e) => void complete(e)} aria-label="Complete the review">
          <label>
            Note (optional)
            <textarea name="note" maxLength={2000} rows={2} />
          </label>
          <button type="submit" disabled={busy}>
            Mark review completed
          </button>
        </form>
      )}
    </section>
  );
}
