import { Refusal } from '../ui/refusal';

/** The end of a governance form: submit (and cancel, when editing inline), then the API's refusal if any. */
export function FormFooter({ busy, submitLabel, onCancel, error }: { busy: boolean; submitLabel: string; onCancel?: () => void; error: string | null }) {
  return (
    <>
      <div className="actions">
        <button type="submit" disabled={busy}>
          {submitLabel}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
      <Refusal message={error} />
    </>
  );
}
