import { FormFooter } from './FormFooter';
import { useFormSubmit } from './use-form-submit';

export interface HoldTermsBody {
  reason: string;
  reference: string | null;
}

/** Reason (required: a hold must say why) and reference (a case number); the API's refusal is shown here. */
export function HoldForm({ submitLabel, onSubmit, onCancel }: { submitLabel: string; onSubmit: (terms: HoldTermsBody) => Promise<void>; onCancel?: () => void }) {
  const read = (form: FormData): HoldTermsBody => ({ reason: String(form.get('reason') ?? '').trim(), reference: String(form.get('reference') ?? '').trim() || null });
  const { busy, error, onSubmit: submit } = useFormSubmit(read, onSubmit);
  return (
    <form className="hold-form" aria-label={submitLabel} onSubmit={submit}>
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
