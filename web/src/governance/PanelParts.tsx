import type { ReactNode } from 'react';

/** Edit and Delete on a row the caller may change, labelled with what they act on ("rule @acme/*"). */
export function EditDeleteButtons({ what, onEdit, onDelete }: { what: string; onEdit: () => void; onDelete: () => void }) {
  return (
    <>
      <button type="button" onClick={onEdit} aria-label={`Edit ${what}`}>
        Edit
      </button>
      <button type="button" onClick={onDelete} aria-label={`Delete ${what}`}>
        Delete
      </button>
    </>
  );
}

/** Under a governance list: the refusal of the last delete, and (for those who may add) the folded form to add one. */
export function PanelFooter({ error, addSummary, children }: { error: string | null; addSummary: string | null; children: ReactNode }) {
  return (
    <>
      {error && (
        <p className="state error" role="alert">
          {error}
        </p>
      )}
      {addSummary && (
        <details className="create">
          <summary>{addSummary}</summary>
          {children}
        </details>
      )}
    </>
  );
}
