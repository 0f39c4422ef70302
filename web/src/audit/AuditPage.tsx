import { apiPath, enc } from '../api';
import { navigate, useLocation } from '../router';
import { ScopeHeader } from '../ui/scope-header';
import { filtersFromUrl, filtersToSearch } from './audit-filters';
import { AuditFiltersForm } from './AuditFiltersForm';
import { AuditTable } from './AuditTable';
import { useKeysetEvents } from './use-keyset-events';

export type AuditScope = { kind: 'instance' } | { kind: 'user'; userId: number } | { kind: 'groups' | 'projects'; fullPath: string };

function apiBaseOf(scope: AuditScope): string {
  if (scope.kind === 'instance') return '';
  if (scope.kind === 'user') return `/users/${scope.userId}`;
  return `/${scope.kind}/${enc(scope.fullPath)}`;
}

/** The audit log of the instance (admins), a group, a project or the signed-in user's own account, filtered from the URL. */
export function AuditPage({ scope }: { scope: AuditScope }) {
  const { path, query } = useLocation();
  const filters = filtersFromUrl(query);
  const base = apiBaseOf(scope);
  const list = useKeysetEvents(apiPath(`${base}/audit_events`, { ...filters, pagination: 'keyset', per_page: '50' }));
  const exportHref = (format: string) => apiPath(`${base}/audit_events/export`, { ...filters, format });

  return (
    <section>
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
      <AuditFiltersForm filters={filters} withSubgroups={scope.kind === 'groups'} onApply={(next) => navigate(`${path}${filtersToSearch(next)}`)} />
      <div className="export" role="group" aria-label="Export">
        <span>Export these filters:</span>
        {/* Plain links: the browser streams the API's download to disk, whatever its size. */}
        <a className="button" href={exportHref('csv')} download>
          Export CSV
        </a>
        <a className="button" href={exportHref('jsonl')} download>
          Export JSON Lines
        </a>
      </div>
      <AuditTable list={list} emptyText="No audit events match these filters." />
    </section>
  );
}
