import { apiPath, enc } from '../api';
import { Link, navigate, useLocation } from '../router';
import type { Actor, Project } from '../types';
import { useSession } from '../session';
import { ScopeHeader } from '../ui/scope-header';
import { useAccessLevel } from '../ui/use-access-level';
import { useApi } from '../ui/use-api';
import { ActivityChart } from './ActivityChart';
import { apiFilters, filtersFromUrl, filtersToSearch } from './audit-filters';
import { AuditFiltersForm, type ProjectOption } from './AuditFiltersForm';
import { AuditTable } from './AuditTable';
import { IntegrityPanel } from './IntegrityPanel';
import { useKeysetEvents } from './use-keyset-events';

export type AuditScope = { kind: 'instance' } | { kind: 'user'; userId: number } | { kind: 'groups' | 'projects'; fullPath: string };

/**
 * The projects to offer in the project filter: those in the group and its subgroups, or for the
 * instance every project the admin sees (the first 100, the API's page limit; a project beyond
 * them can still be filtered through the URL's project_id). A project's or a user's own log has none.
 */
function useProjectOptions(scope: AuditScope): ProjectOption[] | undefined {
  const offered = scope.kind === 'instance' || scope.kind === 'groups';
  const search = scope.kind === 'groups' ? `${scope.fullPath}/` : undefined;
  const [projects] = useApi<Project[]>(offered ? apiPath('/projects', { search, per_page: '100' }) : null);
  if (!offered) return undefined;
  if (projects.state !== 'ready') return [];
  // The API's search matches anywhere in the path: keep those under this group.
  const inScope = search ? projects.data.filter((p) => p.path_with_namespace.toLowerCase().startsWith(search.toLowerCase())) : projects.data;
  return inScope.map((p) => ({ id: p.id, full_path: p.path_with_namespace })).sort((a, b) => a.full_path.localeCompare(b.full_path));
}

/** The log integrity panel: for administrators on the instance page, for owners on a group's. */
function IntegrityPanelFor({ scope, base, onVerified }: { scope: AuditScope; base: string; onVerified: () => void }) {
  const { session } = useSession();
  if (scope.kind === 'instance' && session?.user.is_admin) return <IntegrityPanel path={`${base}/audit_events/integrity`} canVerify onVerified={onVerified} />;
  if (scope.kind === 'groups') return <GroupOwnerIntegrityPanel fullPath={scope.fullPath} base={base} onVerified={onVerified} />;
  return null;
}

function GroupOwnerIntegrityPanel({ fullPath, base, onVerified }: { fullPath: string; base: string; onVerified: () => void }) {
  const level = useAccessLevel('groups', fullPath);
  return (level ?? 0) >= 50 ? <IntegrityPanel path={`${base}/audit_events/integrity`} canVerify={false} onVerified={onVerified} /> : null;
}

export function apiBaseOf(scope: AuditScope): string {
  if (scope.kind === 'instance') return '';
  if (scope.kind === 'user') return `/users/${scope.userId}`;
  return `/${scope.kind}/${enc(scope.fullPath)}`;
}

/** The audit log of the instance (admins), a group, a project or the signed-in user's own account, filtered from the URL. */
export function AuditPage({ scope }: { scope: AuditScope }) {
  const { path, query } = useLocation();
  const filters = filtersFromUrl(query);
  const requested = apiFilters(filters, scope.kind === 'groups');
  const base = apiBaseOf(scope);
  const list = useKeysetEvents(apiPath(`${base}/audit_events`, { ...requested, pagination: 'keyset', per_page: '50' }));
  const exportHref = (format: string) => apiPath(`${base}/audit_events/export`, { ...requested, format });
  const projects = useProjectOptions(scope);
  // A click on the chart: that UTC day and that kind of activity.
  const onDayAndKind = (day: string, kind: string) =>
    navigate(`${path}${filtersToSearch({ ...filters, created_after: `${day}T00:00:00.000Z`, created_before: `${day}T23:59:59.999Z`, event_kind: kind })}`);
  const onlyToken = (actor: Actor) => navigate(`${path}${filtersToSearch({ ...filters, token_type: actor.type, token_id: String(actor.token_id) })}`);

  return (
    <section className="audit-page">
      {scope.kind === 'instance' ? (
        <h1>Instance audit log</h1>
      ) : scope.kind === 'user' ? (
        <>
          <h1>Your activity</h1>
          <p>Your sign-ins, account changes, access tokens and namespace settings.</p>
        </>
      ) : (
        <ScopeHeader kind={scope.kind} fullPath={scope.fullPath} current="audit" />
      )}
      <IntegrityPanelFor scope={scope} base={base} onVerified={list.reload} />
      <ActivityChart base={base} filters={requested} onSelect={onDayAndKind} />
      <AuditFiltersForm filters={filters} withSubgroups={scope.kind === 'groups'} projects={projects} onApply={(next) => navigate(`${path}${filtersToSearch(next)}`)} />
      <div className="export" role="group" aria-label="Export">
        <span>Export these filters:</span>
        {/* Plain links: the browser streams the API's download to disk, whatever its size. */}
        <a className="button" href={exportHref('csv')} download>
          Export CSV
        </a>
        <a className="button" href={exportHref('jsonl')} download>
          Export JSON Lines
        </a>
        {scope.kind !== 'user' && (
          <Link className="button" to={`${path.replace(/\/$/, '')}/report`}>
            Audit report
          </Link>
        )}
      </div>
      <AuditTable list={list} emptyText="No audit events match these filters." onFilterToken={onlyToken} />
    </section>
  );
}
