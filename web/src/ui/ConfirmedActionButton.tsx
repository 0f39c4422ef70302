import { useState } from 'react';
import { Refusal } from './refusal';

/**
 * A button for one change that cannot be taken back lightly (delete a tag, restore a version):
 * asks `confirm` first, is disabled while the request runs, and shows a refusal as the API words it.
 */
export function ConfirmedActionButton({ text, ariaLabel, confirm, action }: { text: string; ariaLabel: string; confirm: string; action: () => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    if (!window.confirm(confirm)) return;
    setError(null);
    setBusy(true);
    try {
      await action();
    } catch (caught) {
      setError((caught as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="restore">
      <button type="button" disabled={busy} aria-label={ariaLabel} onClick={() => void run()}>
        {text}
      </button>
      <Refusal message={error} />
    </div>
  );
}
