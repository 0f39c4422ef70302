// SPEC §4.5 filters as they live in the page URL (the same names the API takes, times in UTC),
// so that a filtered view can be shared by copying the address.

export const EVENT_NAMES = [
  'package_registry_package_published',
  'package_registry_package_file_added',
  'package_registry_package_file_deleted',
  'package_registry_package_deleted',
  'package_registry_package_tag_created',
  'package_registry_package_tag_updated',
  'package_registry_package_tag_deleted',
  'package_registry_package_deprecated',
  'package_registry_package_undeprecated',
  'package_registry_package_metadata_updated',
  'package_registry_package_downloaded',
  'package_registry_package_publish_denied',
  'package_registry_audit_settings_updated',
  'package_registry_settings_updated',
  'package_registry_cleanup_policy_updated',
  'package_registry_cleanup_policy_executed',
  'personal_access_token_created',
  'personal_access_token_revoked',
  'deploy_token_created',
  'deploy_token_revoked',
  'ci_job_token_issued',
  'audit_events_exported',
  'authentication_failed',
  'user_signed_in',
  'user_created',
  'user_updated',
  'user_admin_granted',
  'user_admin_revoked',
  'user_blocked',
  'user_unblocked',
  'user_deleted',
];

export const VIAS = ['web', 'api', 'package_client', 'pipeline', 'system'];

const SINGLE = ['created_after', 'created_before', 'author_username', 'package_name', 'package_format', 'via', 'outcome', 'include_subgroups'] as const;

export type AuditQuery = Record<string, string | string[] | undefined>;

/** The filters present in the page URL, as API query parameters. */
export function filtersFromUrl(query: URLSearchParams): AuditQuery {
  const out: AuditQuery = {};
  for (const key of SINGLE) out[key] = query.get(key) ?? undefined;
  const names = query.getAll('event_name');
  if (names.length) out.event_name = names;
  return out;
}

export function filtersToSearch(filters: AuditQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value === undefined || value === '') continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
  }
  const search = params.toString();
  return search ? `?${search}` : '';
}

/** `<input type="datetime-local">` works in local time; the URL and the API in UTC. */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}

export function isoToLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
