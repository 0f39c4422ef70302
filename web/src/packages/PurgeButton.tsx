import { api, apiPath, enc } from '../api';
import { ConfirmedActionButton } from '../ui/ConfirmedActionButton';
import type { RestorableVersion } from './RestoreButton';

/**
 * "Purge now" for a deleted version (owners): removes it for good before its restore window ends,
 * e.g. a secret published by mistake. Asks for the reason the audit log records with the purge.
 */
export function PurgeButton({ projectPath, pkg, onPurged }: { projectPath: string; pkg: RestorableVersion; onPurged: () => void }) {
  const label = `${pkg.name}@${pkg.version ?? ''}`;
  return (
    <ConfirmedActionButton
      text="Purge now"
      ariaLabel={`Purge ${label}`}
      askReason
      confirm={`Purge ${label} for good? It can never be restored. The reason (recorded in the audit log):`}
      action={async (reason) => {
        await api.post(apiPath(`/projects/${enc(projectPath)}/packages/${pkg.id}/purge`), reason ? { reason } : {});
        onPurged();
      }}
    />
  );
}
