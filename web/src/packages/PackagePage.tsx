import { ApiError, apiPath, enc } from '../api';
import { Link, navigate, routes, useLocation } from '../router';
import type { DistTag, Package } from '../types';
import { Pager } from '../ui/pager';
import { Empty, Loaded } from '../ui/states';
import { Tabs } from '../ui/tabs';
import { useApi } from '../ui/use-api';
import { useHoldsOwner } from '../governance/hold-access';
import { NameHold } from '../governance/NameHold';
import { DeletedPackage } from './DeletedPackage';
import { InstallInstructions } from './InstallInstructions';
import { PackageHistory } from './PackageHistory';
import { VersionCard } from './VersionCard';

/** One package (all versions of its name in the project), opened from one of its versions. */
export function PackagePage({ projectPath, packageId }: { projectPath: string; packageId: number }) {
  const [pkg, reload] = useApi<Package>(apiPath(`/projects/${enc(projectPath)}/packages/${packageId}`));
  // Gone, or never there: a reader of the audit log learns which (and who deleted it), nobody else.
  if (pkg.state === 'error' && pkg.error instanceof ApiError && pkg.error.status === 404 && pkg.error.message === '404 Package Not Found') {
    // Restored: the same id is the live version again, whose page this then shows.
    const restored = (live: Package) => {
      navigate(routes.pkg(projectPath, live.id), { replace: true });
      reload();
    };
    return <DeletedPackage projectPath={projectPath} packageId={packageId} notFound={pkg.error} onRestored={restored} />;
  }
  return (
    <Loaded loadable={pkg} retry={reload} what="Loading package">
      {(current) => <PackageView projectPath={projectPath} current={current} reloadCurrent={reload} />}
    </Loaded>
  );
}

function PackageView({ projectPath, current, reloadCurrent }: { projectPath: string; current: Package; reloadCurrent: () => void }) {
  const { path, query } = useLocation();
  const tab = query.get('tab') === 'history' ? 'history' : 'versions';
  const page = query.get('versions_page') ?? undefined;
  const packagePath = `/projects/${enc(projectPath)}/packages/${current.id}`;
  const [versions, reload] = useApi<Package[]>(apiPath(`${packagePath}/versions`, { order_by: 'created_at', sort: 'desc', per_page: '50', page }));
  // Owners hold and release versions (the API's rule); a read-only token sign-in is offered neither.
  const owner = useHoldsOwner(projectPath);
  const changed = () => {
    reload();
    reloadCurrent();
  };
  return (
    <section>
      <p className="kicker">
        {current.package_type} package in <Link to={routes.project(projectPath)}>{projectPath}</Link>
      </p>
      <h1>{current.name}</h1>
      <Tabs
        label="Package sections"
        current={tab}
        tabs={[
          { id: 'versions', label: 'Versions', to: path },
          { id: 'history', label: 'History', to: `${path}?tab=history` },
        ]}
      />
      {tab === 'history' ? (
        <PackageHistory projectPath={projectPath} name={current.name} format={current.package_type} />
      ) : (
        <div className="package-layout">
          <div>
            <DistTags path={`${packagePath}/dist_tags`} />
            {owner && <NameHold projectPath={projectPath} pkg={current} onChange={changed} />}
            <Loaded loadable={versions} retry={reload} what="Loading versions">
              {(list, headers) => (
                <>
                  <h2>Versions ({headers.get('x-total') ?? list.length})</h2>
                  {current.status !== 'default' && current.status !== 'error' && !list.some((v) => v.id === current.id) && (
                    <>
                      <p className="muted small">This version is {current.status.replace('_', ' ')}: lists show it only when asked for that status.</p>
                      <VersionCard projectPath={projectPath} pkg={current} current owner={owner} onChange={changed} />
                    </>
                  )}
                  {list.map((version) => (
                    <VersionCard key={version.id} projectPath={projectPath} pkg={version} current={version.id === current.id} owner={owner} onChange={changed} />
                  ))}
                  <Pager headers={headers} onPage={(p) => navigate(`${path}?versions_page=${p}`)} />
                </>
              )}
            </Loaded>
          </div>
          <InstallInstructions projectPath={projectPath} pkg={current} />
        </div>
      )}
    </section>
  );
}

/** Every dist-tag of the package's name, also those on versions beyond the current page of versions. */
function DistTags({ path }: { path: string }) {
  const [tags, reload] = useApi<DistTag[]>(apiPath(path));
  return (
    <section aria-labelledby="tags-heading" className="panel">
      <h2 id="tags-heading">Dist-tags</h2>
      <Loaded loadable={tags} retry={reload} what="Loading dist-tags">
        {(list) =>
          list.length === 0 ? (
            <Empty>No tags.</Empty>
          ) : (
            <ul className="inline">
              {list.map((t) => (
                <li key={t.name}>
                  <span className="badge tag">{t.name}</span> → {t.version}
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
    </section>
  );
}

