import { AuditTable } from '../audit/AuditTable';
import { useKeysetEvents } from '../audit/use-keyset-events';
import { apiPath, enc } from '../api';

/** Every audit event about this package name in the project, newest first, paged by keyset. */
export function PackageHistory({ projectPath, name, format }: { projectPath: string; name: string; format: string }) {
  const list = useKeysetEvents(
    apiPath(`/projects/${enc(projectPath)}/audit_events`, { package_name: name, package_format: format, pagination: 'keyset', per_page: '50' }),
  );
  return (
    <section aria-label="History">
      <AuditTable list={list} emptyText="No audit events for this package (package auditing may be disabled for its namespace)." />
    </section>
  );
}
