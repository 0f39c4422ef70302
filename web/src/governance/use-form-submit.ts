import { useState, type FormEvent } from 'react';

/**
 * A governance form's submit: reads the form's values (`read` may throw to refuse them), hands them
 * to `send`, and keeps the refusal (the API's message) to show under the form, which keeps its values.
 */
export function useFormSubmit<T>(read: (form: FormData) => T, send: (body: T) => Promise<void>) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setError(null);
    setBusy(true);
    try {
      await send(read(form));
    } catch (caught) {
      setError((caught as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, onSubmit: (event: FormEvent<HTMLFormElement>) => void submit(event) };
}
