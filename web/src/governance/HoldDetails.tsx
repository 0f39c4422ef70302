import { actorText } from '../packages/published-by';
import type { PackageLegalHold } from '../types';
import { DateTime } from '../ui/date-time';

export const SCOPE_LABELS: Record<PackageLegalHold['scope'], string> = {
  version: 'this version',
  name: 'every version of this package name',
  project: 'the whole project',
};

/**
 * "Held: <reason> · reference · set by user olivia at … · covers …": a hold as a reviewer reads it.
 * `covers`: what the hold covers in words (default: by its scope), null to leave it out. Readers
 * below maintainer get no terms from the API (reason, reference, set_by null): they read that.
 */
export function HoldDetails({ hold, covers }: { hold: PackageLegalHold; covers?: string | null }) {
  return (
    <>
      <strong>{hold.reason ?? 'Under legal hold (its terms are shown to maintainers and owners)'}</strong>
      {hold.reference && <> · reference {hold.reference}</>}
      <div className="muted small">
        {hold.set_by && <>Set by {actorText(hold.set_by.actor)} · </>}
        <DateTime iso={hold.set_at} />
        {covers !== null && <> · covers {covers ?? SCOPE_LABELS[hold.scope]}</>}
      </div>
    </>
  );
}
