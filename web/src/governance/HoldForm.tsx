import { useState, type FormEvent } from 'react';
import { FormFooter } from './FormFooter';

export interface HoldTermsBody {
  reason: string;
  reference: string | null;
}

/** Reason (required: a hold must say why) and reference (a case number); the API's refusal is shown here. */
export function HoldForm({ submitLabel, onSubmit, onCancel }: { submitLabel: string; onSubmit: (terms: HoldTermsBody) => Promise<void>; onCancel?: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setError(null);
    setBusy(true);
    try {
      await onSubmit({ reason: String(form.get('reason') ?? '').trim(), reference: String(form.get('reference') ?? '').trim() || null });
    } catch (caught) {
      setError((caught as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="hold-form" aria-label={submitLabel} onSubmit={(event) => void submit(event)}>
      <label>
        Reason
        <input name="reason" required maxLength={1000} />
      </label>
      <label>
        Reference (case number)
        <input name="reference" maxLength={255} />
      </label>
      <FormFooter busy={busy} submitLabel={submitLabel} onCancel={onCancel} error={error} />
    </form>
  );
}
