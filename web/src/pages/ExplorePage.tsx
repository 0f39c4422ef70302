import { apiPath } from '../api';
import { Link, navigate, routes, useLocation } from '../router';
import { Pager } from '../ui/pager';
import { CreateForms } from './CreateForms';
import type { Group, Project } from '../types';
import { Empty, Loaded } from '../ui/states';
import { useApi } from '../ui/use-api';

/** Groups and projects the signed-in user can see, filtered by a search kept in the URL. */
export function ExplorePage() {
  const { query } = useLocation();
  const search = query.get('search') ?? '';
  const [groups, reloadGroups] = useApi<Group[]>(apiPath('/groups', { search, per_page: '50', page: query.get('groups_page') ?? undefined }));
  const [projects, reloadProjects] = useApi<Project[]>(apiPath('/projects', { search, per_page: '50', page: query.get('projects_page') ?? undefined }));
  const toPage = (key: string) => (page: number) => {
    const next = new URLSearchParams(query);
    next.set(key, String(page));
    navigate(`/?${next}`);
  };

  return (
    <section>
      <h1>Explore</h1>
      <form
        className="filters"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          const value = new FormData(event.currentTarget).get('search') as string;
          navigate(value ? `/?search=${encodeURIComponent(value)}` : '/', { replace: true });
        }}
      >
        <label>
          Filter by path
          <input name="search" type="search" defaultValue={search} key={search} />
        </label>
        <button type="submit">Filter</button>
      </form>
      <CreateForms groups={groups.state === 'ready' ? groups.data : []} />
      <div className="columns">
        <section aria-labelledby="groups-heading">
          <h2 id="groups-heading">Groups</h2>
          <Loaded loadable={groups} retry={reloadGroups} what="Loading groups">
            {(list, headers) =>
              list.length === 0 ? (
                <Empty>No groups{search ? ' match this filter' : ' you can see yet'}.</Empty>
              ) : (
                <>
                <ul className="cards">
                  {list.map((group) => (
                    <li key={group.id}>
                      <Link to={routes.group(group.full_path)}>{group.full_path}</Link>
                      <span className="muted"> · {group.visibility}</span>
                      {group.description && <p className="muted">{group.description}</p>}
                    </li>
                  ))}
                </ul>
                <Pager headers={headers} onPage={toPage('groups_page')} />
                </>
              )
            }
          </Loaded>
        </section>
        <section aria-labelledby="projects-heading">
          <h2 id="projects-heading">Projects</h2>
          <Loaded loadable={projects} retry={reloadProjects} what="Loading projects">
            {(list, headers) =>
              list.length === 0 ? (
                <Empty>No projects{search ? ' match this filter' : ' you can see yet'}. Create one with the API (see the README’s first start).</Empty>
              ) : (
                <>
                <ul className="cards">
                  {list.map((project) => (
                    <li key={project.id}>
                      <Link to={routes.project(project.path_with_namespace)}>{project.path_with_namespace}</Link>
                      <span className="muted"> · {project.visibility}</span>
                      {project.description && <p className="muted">{project.description}</p>}
                    </li>
                  ))}
                </ul>
                <Pager headers={headers} onPage={toPage('projects_page')} />
                </>
              )
            }
          </Loaded>
        </section>
      </div>
    </section>
  );
}
