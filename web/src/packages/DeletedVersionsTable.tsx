import { viaText } from '../audit/labels';
import { Link, routes } from '../router';
import type { Package } from '../types';
import { DateTime } from '../ui/date-time';
import { MAINTAINER, useMayChange } from '../ui/use-may-change';
import { actorText } from './published-by';
import { RestoreButton } from './RestoreButton';

/**
 * The deleted versions that can still be restored (a list's "deleted" status): who deleted each and
 * when, until when it can be restored, and on a project's list "Restore" for its maintainers and
 * owners. A group's list links each version to its page, where its project's maintainers restore it.
 */
export function DeletedVersionsTable(props: { kind: 'groups' | 'projects'; fullPath: string; list: Package[]; onRestored: (restored: Package) => void }) {
  const { kind, fullPath, list } = props;
  const mayRestore = useMayChange(kind === 'projects' ? fullPath : null, MAINTAINER, 'restoring versions');
  return (
    <>
      <div className="table-wrap">
        <table>
          <caption className="sr-only">Deleted versions</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Format</th>
              <th scope="col">Version</th>
              <th scope="col">Deleted by</th>
              <th scope="col">Deleted at</th>
              <th scope="col">Purged after</th>
              {mayRestore && <th scope="col">Restore</th>}
            </tr>
          </thead>
          <tbody>
            {list.map((pkg) => {
              const projectPath = pkg.project_path ?? fullPath;
              return (
                <tr key={pkg.id}>
                  <td>
                    <Link to={routes.pkg(projectPath, pkg.id)}>{pkg.name}</Link>
                    {kind === 'groups' && <div className="muted small">{pkg.project_path}</div>}
                  </td>
                  <td>{pkg.package_type}</td>
                  <td>{pkg.version}</td>
                  {pkg.deletion ? <DeletionCells deletion={pkg.deletion} held={pkg.legal_hold !== null} /> : <td colSpan={3} />}
                  {mayRestore && (
                    <td>
                      <RestoreButton projectPath={projectPath} pkg={pkg} onRestored={props.onRestored} />
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {mayRestore === false && (
        <p className="muted small">{kind === 'projects' ? `Only maintainers and owners of ${fullPath} can restore them.` : 'Each is restored from its page, by the maintainers and owners of its project.'}</p>
      )}
    </>
  );
}

function DeletionCells({ deletion, held }: { deletion: NonNullable<Package['deletion']>; held: boolean }) {
  return (
    <>
      <td>
        {actorText(deletion.deleted_by.actor)}
        <div className="muted small">{viaText(deletion.deleted_by.via, deletion.deleted_by.client)}</div>
      </td>
      <td>
        <DateTime iso={deletion.deleted_at} />
      </td>
      <td>
        <DateTime iso={deletion.purge_after} />
        {held && <div className="muted small">kept while under legal hold</div>}
      </td>
    </>
  );
}
