import { apiPath, enc } from '../api';
import { Link, routes } from '../router';
import type { DeletedPackage as Deletion, Package } from '../types';
import { formatBytes } from '../ui/date-time';
import { ErrorState, Loaded } from '../ui/states';
import { useApi } from '../ui/use-api';
import { PackageHistory } from './PackageHistory';
import { RestoreOffer } from './RestoreOffer';
import { actorText, PublishedByDetails } from './published-by';

/**
 * The page of a package version that no longer exists: who deleted it, when and how, and its
 * history, from the audit log. The deletion record answers only readers of the project's audit
 * log; anyone else sees the package's own "not found", exactly as for a version that never was.
 * While it can still be restored, the page says until when, and maintainers restore it here.
 */
export function DeletedPackage(props: { projectPath: string; packageId: number; notFound: Error; onRestored: (restored: Package) => void }) {
  const { projectPath, packageId, notFound } = props;
  const [deletion] = useApi<Deletion>(apiPath(`/projects/${enc(projectPath)}/packages/${packageId}/deletion`));
  if (deletion.state === 'error') return <ErrorState error={notFound} />;
  return (
    <Loaded loadable={deletion} what="Loading package">
      {(gone) => (
        <section>
          <p className="kicker">
            {gone.package_type} package in <Link to={routes.project(projectPath)}>{projectPath}</Link>
          </p>
          <h1>{gone.name}</h1>
          <div className="state deleted" role="note">
            <p>
              <strong>
                Version {gone.version} was deleted by {actorText(gone.deleted_by.actor)}.
              </strong>{' '}
              {gone.custom_message}
              {gone.reason && <> Reason: {gone.reason}</>}
            </p>
            <RestoreOffer projectPath={projectPath} gone={gone} onRestored={props.onRestored} />
          </div>
          <h2>Deleted by</h2>
          <PublishedByDetails by={gone.deleted_by} />
          {gone.files.length > 0 && (
            <>
              <h2>Files it had</h2>
              <ul>
                {gone.files.map((file) => (
                  <li key={file.sha256 + file.file_name}>
                    {file.file_name} ({formatBytes(file.size)}, SHA-256 <code className="hash">{file.sha256}</code>)
                  </li>
                ))}
              </ul>
            </>
          )}
          <p>
            <Link to={`${routes.project(projectPath)}?${new URLSearchParams({ name: gone.name, format: gone.package_type })}`}>Versions of {gone.name} that still exist</Link>
          </p>
          <h2>History</h2>
          <PackageHistory projectPath={projectPath} name={gone.name} format={gone.package_type} />
        </section>
      )}
    </Loaded>
  );
}
