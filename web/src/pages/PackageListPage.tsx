import { useState } from 'react';
import { apiPath, enc } from '../api';
import { viaText } from '../audit/labels';
import { actorText } from '../packages/published-by';
import { usePackageFormats } from '../packages/package-formats';
import { PublishInstructions } from '../packages/PublishInstructions';
import { ProjectLegalHolds } from '../governance/ProjectLegalHolds';
import { ProtectionRulesPanel } from '../governance/ProtectionRulesPanel';
import { DeletedVersionsTable } from '../packages/DeletedVersionsTable';
import { Link, navigate, routes, useLocation } from '../router';
import type { Group, Package, Project } from '../types';
import { DateTime } from '../ui/date-time';
import { Pager } from '../ui/pager';
import { ScopeHeader } from '../ui/scope-header';
import { Empty, Loaded } from '../ui/states';
import { useApi } from '../ui/use-api';

/** GitLab's list shows default and error versions; the others only when asked for by status. */
const STATUSES = [
  { value: '', label: 'Listed (default and error)' },
  { value: 'default', label: 'default' },
  { value: 'hidden', label: 'hidden' },
  { value: 'error', label: 'error' },
  { value: 'deleted', label: 'deleted (can be restored)' },
];

/** GitLab's name for the deleted status; Trove's `deleted` (the same versions) is the one the filter offers. */
const statusOf = (value: string | null) => (value === 'pending_destruction' ? 'deleted' : (value ?? ''));

/** A version's status as people read it: a deprecated npm version says so, with npm's message. */
function PackageStatus({ pkg }: { pkg: Package }) {
  if (pkg.deprecated && pkg.status === 'default') {
    return (
      <>
        <span className="badge deprecated-badge">deprecated</span>
        <div className="muted small">{pkg.deprecated}</div>
      </>
    );
  }
  return <>{pkg.status.replace('_', ' ')}</>;
}

/** A group's (with its subgroups) or a project's packages, filtered by name and format, paged. */
export function PackageListPage({ kind, fullPath }: { kind: 'groups' | 'projects'; fullPath: string }) {
  const { path, query } = useLocation();
  const formats = usePackageFormats();
  const name = query.get('name') ?? '';
  const format = query.get('format') ?? '';
  const status = statusOf(query.get('status'));
  // The version restored last from this list, named above it (the list reloads without it).
  const [restored, setRestored] = useState<Package | null>(null);
  const page = query.get('page') ?? '1';
  // A group's list includes its subgroups' packages unless unticked, as its Audit events tab does.
  const subgroups = kind === 'groups' && query.get('include_subgroups') !== 'false';
  const [packages, reload] = useApi<Package[]>(
    apiPath(`/${kind}/${enc(fullPath)}/packages`, {
      package_name: name,
      package_type: format,
      status,
      exclude_subgroups: kind === 'groups' && !subgroups ? 'true' : '',
      page,
      per_page: '20',
      order_by: 'created_at',
      sort: 'desc',
    }),
  );
  const include_subgroups = kind === 'groups' && !subgroups ? 'false' : '';
  const setQuery = (next: Record<string, string>) => {
    const params = new URLSearchParams(Object.entries(next).filter(([, v]) => v !== ''));
    navigate(`${path}${params.size ? `?${params}` : ''}`);
  };

  return (
    <section>
      <ScopeHeader kind={kind} fullPath={fullPath} current="packages" />
      {kind === 'groups' && <GroupContents fullPath={fullPath} />}
      {kind === 'projects' && <ProjectLegalHolds projectPath={fullPath} />}
      <form
        className="filters"
        role="search"
        aria-label="Filter packages"
        onSubmit={(event) => {
          event.preventDefault();
          const form = new FormData(event.currentTarget);
          setQuery({
            name: String(form.get('name') ?? ''),
            format: String(form.get('format') ?? ''),
            status: String(form.get('status') ?? ''),
            include_subgroups: kind === 'groups' && !form.get('include_subgroups') ? 'false' : '',
          });
        }}
      >
        <label>
          Name contains
          <input name="name" type="search" defaultValue={name} key={`n${name}`} />
        </label>
        <label>
          Format
          <select name="format" defaultValue={format} key={`f${format}-${formats.length}`}>
            <option value="">All formats</option>
            {formats.map((f) => (
              <option key={f.name} value={f.name}>
                {f.display_name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select name="status" defaultValue={status} key={`s${status}`}>
            {STATUSES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        {kind === 'groups' && (
          <label className="checkbox">
            <input type="checkbox" name="include_subgroups" defaultChecked={subgroups} key={`i${subgroups}`} />
            Include subgroups
          </label>
        )}
        <button type="submit">Filter</button>
      </form>
      {status === 'deleted' && restored && (
        <p className="state ok" role="status">
          Restored <Link to={routes.pkg(restored.project_path ?? fullPath, restored.id)}>{`${restored.name}@${restored.version}`}</Link>.
        </p>
      )}
      <Loaded loadable={packages} retry={reload} what="Loading packages">
        {(list, headers) =>
          list.length === 0 ? (
            <>
              <Empty>{status === 'deleted' ? 'No deleted version that can still be restored.' : name || format || status ? 'No package matches these filters.' : 'No packages yet.'}</Empty>
              {!name && !format && !status && kind === 'projects' && <PublishInstructions projectPath={fullPath} />}
            </>
          ) : (
            <>
              {status === 'deleted' ? (
                <DeletedVersionsTable
                  kind={kind}
                  fullPath={fullPath}
                  list={list}
                  onRestored={(pkg) => {
                    setRestored(pkg);
                    reload();
                  }}
                />
              ) : (
                <PackagesTable kind={kind} fullPath={fullPath} list={list} />
              )}
              <Pager headers={headers} onPage={(p) => setQuery({ name, format, status, include_subgroups, page: String(p) })} />
            </>
          )
        }
      </Loaded>
      {kind === 'projects' && <ProtectionRulesPanel kind="projects" fullPath={fullPath} />}
    </section>
  );
}

/** The versions a list shows by status: who published each, when, and the status in words. */
function PackagesTable({ kind, fullPath, list }: { kind: 'groups' | 'projects'; fullPath: string; list: Package[] }) {
  return (
    <div className="table-wrap">
      <table>
        <caption className="sr-only">Packages</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Format</th>
            <th scope="col">Version</th>
            <th scope="col">Status</th>
            <th scope="col">Published at</th>
            <th scope="col">Published by</th>
          </tr>
        </thead>
        <tbody>
          {list.map((pkg) => (
            <tr key={pkg.id}>
              <td>
                <Link to={routes.pkg(pkg.project_path ?? fullPath, pkg.id)}>{pkg.name}</Link>
                {kind === 'groups' && <div className="muted small">{pkg.project_path}</div>}
              </td>
              <td>{pkg.package_type}</td>
              <td>{pkg.version}</td>
              <td>
                <PackageStatus pkg={pkg} />
              </td>
              <td>
                <DateTime iso={pkg.created_at} />
              </td>
              <td>
                {actorText(pkg.published_by.actor)}
                <div className="muted small">{viaText(pkg.published_by.via, pkg.published_by.client)}</div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Subgroups and projects of a group, for moving down the tree. */
function GroupContents({ fullPath }: { fullPath: string }) {
  const [subgroups] = useApi<Group[]>(apiPath(`/groups/${enc(fullPath)}/subgroups`, { per_page: '100' }));
  const [projects] = useApi<Project[]>(apiPath(`/groups/${enc(fullPath)}/projects`, { per_page: '100' }));
  const items = [
    ...(subgroups.state === 'ready' ? subgroups.data.map((g) => ({ key: `g${g.id}`, to: routes.group(g.full_path), label: g.full_path, kind: 'subgroup' })) : []),
    ...(projects.state === 'ready' ? projects.data.map((p) => ({ key: `p${p.id}`, to: routes.project(p.path_with_namespace), label: p.path_with_namespace, kind: 'project' })) : []),
  ];
  if (items.length === 0) return null;
  return (
    <nav aria-label="Subgroups and projects" className="contents">
      {items.map((item) => (
        <Link key={item.key} to={item.to}>
          {item.label} <span className="muted small">({item.kind})</span>
        </Link>
      ))}
    </nav>
  );
}
