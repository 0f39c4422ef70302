import { api, apiPath, enc } from '../api';
import type { Package } from '../types';
import { ConfirmedActionButton } from '../ui/ConfirmedActionButton';

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
  const label = `${pkg.name}@${pkg.version ?? ''}`;
  return (
    <ConfirmedActionButton
      text="Restore"
      ariaLabel={`Restore ${label}`}
      confirm={`Restore ${label}? Clients can install it again at once, with the same files.`}
      action={async () => onRestored(await api.post<Package>(apiPath(`/projects/${enc(projectPath)}/packages/${pkg.id}/restore`)))}
    />
  );
}
