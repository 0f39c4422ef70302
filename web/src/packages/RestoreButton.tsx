import { useState } from 'react';
import { api, apiPath, enc } from '../api';
import type { Package } from '../types';
import { Refusal } from '../ui/refusal';

/** The version a restore brings back, as the deleted-versions list and the deleted version's page know it. */
export interface RestorableVersion {
  id: number;
  name: string;
  version: string | null;
}

/**
 * "Restore" for a deleted version, after a confirmation: POST .../restore, then `onRestored` with
 * the live version. A refusal (a protection rule, the window gone by, ...) is shown as the API words it.
 */
export function RestoreButton({ projectPath, pkg, onRestored }: { projectPath: string; pkg: RestorableVersion; onRestored: (restored: Package) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const label = `${pkg.name}@${pkg.version ?? ''}`;
  const restore = async () => {
    if (!window.confirm(`Restore ${label}? Clients can install it again at once, with the same files.`)) return;
    setError(null);
    setBusy(true);
    try {
      onRestored(await api.post<Package>(apiPath(`/projects/${enc(projectPath)}/packages/${pkg.id}/restore`)));
    } catch (caught) {
      setError((caught as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="restore">
      <button type="button" disabled={busy} aria-label={`Restore ${label}`} onClick={() => void restore()}>
        Restore
      </button>
      <Refusal message={error} />
    </div>
  );
}
