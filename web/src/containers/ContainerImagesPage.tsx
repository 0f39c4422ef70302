import { apiPath, enc } from '../api';
import { Link, navigate, routes, useLocation } from '../router';
import type { ContainerRepository } from '../types';
import { DateTime } from '../ui/date-time';
import { Pager } from '../ui/pager';
import { ScopeHeader } from '../ui/scope-header';
import { Empty, Loaded } from '../ui/states';
import { useApi } from '../ui/use-api';
import { MAINTAINER, useMayChange } from '../ui/use-may-change';
import { TagTable } from './TagTable';

/**
 * A project's container images: each repository with its tags (digest, size, platforms, pusher);
 * a group's: its projects' repositories, each linking to its project's page.
 */
export function ContainerImagesPage({ kind, fullPath }: { kind: 'groups' | 'projects'; fullPath: string }) {
  const { path, query } = useLocation();
  const page = query.get('page') ?? '1';
  const [repositories, reload] = useApi<ContainerRepository[]>(apiPath(`/${kind}/${enc(fullPath)}/registry/repositories`, { page, per_page: '20' }));
  // Maintainers delete tags (the API's rule); the API stays the judge.
  const mayDelete = useMayChange(kind === 'projects' ? fullPath : null, MAINTAINER, 'delete tags') === true;
  return (
    <section>
      <ScopeHeader kind={kind} fullPath={fullPath} current="containers" />
      <Loaded loadable={repositories} retry={reload} what="Loading container images">
        {(list, headers) => (
          <>
            {list.length === 0 ? (
              <Empty>No container images yet. Push one with skopeo, podman or docker to {`${window.location.host}/${kind === 'projects' ? fullPath : `${fullPath}/<project>`}[/<image>]:<tag>`}.</Empty>
            ) : (
              list.map((repository) => (
                <section key={repository.id} className="panel" aria-label={`Image ${repository.path}`}>
                  <h2>
                    <code>{repository.path}</code>
                  </h2>
                  <p className="muted small">
                    Pull from <code>{repository.location}</code> · created <DateTime iso={repository.created_at} />
                  </p>
                  {kind === 'projects' ? (
                    <TagTable projectPath={fullPath} repository={repository} mayDelete={mayDelete} />
                  ) : (
                    <p>
                      <Link to={routes.containers('projects', repository.path.slice(0, repository.path.length - (repository.name ? repository.name.length + 1 : 0)))}>Tags in its project</Link>
                    </p>
                  )}
                </section>
              ))
            )}
            <Pager headers={headers} onPage={(p) => navigate(`${path}?page=${p}`)} />
          </>
        )}
      </Loaded>
    </section>
  );
}
