import { useState } from 'react';
import { Refusal } from './refusal';

/**
 * A button for one change that cannot be taken back lightly (delete a tag, restore or purge a
 * version): asks `confirm` first (with `askReason`, as a prompt whose answer is the change's reason,
 * recorded in the audit log), is disabled while the request runs, and shows a refusal as the API words it.
 */
export function ConfirmedActionButton(props: { text: string; ariaLabel: string; confirm: string; askReason?: boolean; action: (reason?: string) => Promise<void> }) {
  const { text, ariaLabel, confirm, askReason, action } = props;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    let reason: string | undefined;
    if (askReason) {
      const answer = window.prompt(confirm);
      if (answer === null) return;
      reason = answer.trim() || undefined;
    } else if (!window.confirm(confirm)) return;
    setError(null);
    setBusy(true);
    try {
      await action(reason);
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
