import { apiPath, enc } from '../api';
import type { DeletedPackage, Package } from '../types';
import { DateTime } from '../ui/date-time';
import { useApi } from '../ui/use-api';
import { useState } from 'react';
import { MAINTAINER, OWNER, useMayChange } from '../ui/use-may-change';
import { PurgeButton } from './PurgeButton';
import { RestoreButton } from './RestoreButton';

/**
 * On a deleted version's page: whether it can still be restored (it is among the project's deleted
 * versions, ?status=deleted) and until when, with "Restore" for maintainers and owners and "Purge
 * now" for owners. A purged version is no longer listed there, and this says nothing.
 */
export function RestoreOffer({ projectPath, gone, onRestored }: { projectPath: string; gone: DeletedPackage; onRestored: (restored: Package) => void }) {
  const filters = { status: 'deleted', package_type: gone.package_type, package_name: gone.name, package_version: gone.version ?? undefined, per_page: '100' };
  const [deleted] = useApi<Package[]>(apiPath(`/projects/${enc(projectPath)}/packages`, filters));
  const mayRestore = useMayChange(projectPath, MAINTAINER, 'restoring versions');
  const mayPurge = useMayChange(projectPath, OWNER, 'purging versions');
  const [purged, setPurged] = useState(false);
  const pkg = deleted.state === 'ready' ? deleted.data.find((p) => p.id === gone.id) : undefined;
  if (purged) return <p role="status">Purged for good: it can no longer be restored.</p>;
  if (!pkg?.deletion) return null;
  return (
    <div className="restore-offer">
      <p>
        {pkg.legal_hold ? (
          <>
            It can still be restored: a legal hold keeps it from being purged (its restore window ends <DateTime iso={pkg.deletion.purge_after} />
            ).
          </>
        ) : (
          <>
            It can still be restored until <DateTime iso={pkg.deletion.purge_after} />, when it is purged for good.
          </>
        )}
      </p>
      {mayRestore && <RestoreButton projectPath={projectPath} pkg={pkg} onRestored={onRestored} />}
      {mayPurge && <PurgeButton projectPath={projectPath} pkg={pkg} onPurged={() => setPurged(true)} />}
      {mayRestore === false && <p className="muted small">Only maintainers and owners of {projectPath} can restore it.</p>}
    </div>
  );
}
