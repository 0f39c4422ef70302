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
  'member_added',
  'member_access_level_changed',
  'member_removed',
  'group_created',
  'group_updated',
  'group_visibility_changed',
  'group_transferred',
  'group_deleted',
  'project_created',
  'project_updated',
  'project_visibility_changed',
  'project_transferred',
  'project_deleted',
  'audit_events_exported',
  'audit_event_streaming_destination_created',
  'audit_event_streaming_destination_updated',
  'audit_event_streaming_destination_deleted',
  'authentication_failed',
  'user_signed_in',
  'user_created',
  'user_updated',
  'user_blocked',
  'user_unblocked',
  'user_deleted',
  'user_admin_granted',
  'user_admin_revoked',
];

export const VIAS = ['web', 'api', 'package_client', 'pipeline', 'system'];

// author_username: links made before the author box also matched token names.
const SINGLE = [
  'created_after',
  'created_before',
  'author',
  'author_username',
  'token_type',
  'token_id',
  'package_name',
  'package_format',
  'project_id',
  'via',
  'outcome',
  'include_subgroups',
] as const;

export type AuditQuery = Record<string, string | string[] | undefined>;

/** The filters present in the page URL, as API query parameters. */
export function filtersFromUrl(query: URLSearchParams): AuditQuery {
  const out: AuditQuery = {};
  for (const key of SINGLE) out[key] = query.get(key) ?? undefined;
  const names = query.getAll('event_name');
  if (names.length) out.event_name = names;
  return out;
}

/**
 * What the API is asked for. A group's audit events include its subgroups' unless the URL says
 * include_subgroups=false, as its Packages tab does: the URL only records the user's unticking.
 */
export function apiFilters(filters: AuditQuery, isGroup: boolean): AuditQuery {
  if (!isGroup) return { ...filters, include_subgroups: undefined };
  return { ...filters, include_subgroups: filters.include_subgroups === 'false' ? undefined : 'true' };
}

export const includesSubgroups = (filters: AuditQuery) => filters.include_subgroups !== 'false';

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
