import { apiPath, enc } from '../api';
import { navigate, useLocation } from '../router';
import { ScopeHeader } from '../ui/scope-header';
import { filtersFromUrl, filtersToSearch } from './audit-filters';
import { AuditFiltersForm } from './AuditFiltersForm';
import { AuditTable } from './AuditTable';
import { useKeysetEvents } from './use-keyset-events';

export type AuditScope = { kind: 'instance' } | { kind: 'groups' | 'projects'; fullPath: string };

/** The audit log of the instance (admins), a group or a project, filtered from the URL. */
export function AuditPage({ scope }: { scope: AuditScope }) {
  const { path, query } = useLocation();
  const filters = filtersFromUrl(query);
  const base = scope.kind === 'instance' ? '' : `/${scope.kind}/${enc(scope.fullPath)}`;
  const list = useKeysetEvents(apiPath(`${base}/audit_events`, { ...filters, pagination: 'keyset', per_page: '50' }));
  const exportHref = (format: string) => apiPath(`${base}/audit_events/export`, { ...filters, format });

  return (
    <section>
      {scope.kind === 'instance' ? <h1>Instance audit log</h1> : <ScopeHeader kind={scope.kind} fullPath={scope.fullPath} current="audit" />}
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
