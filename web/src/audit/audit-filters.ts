// docs/api.md#audit-events filters as they live in the page URL (the same names the API takes, times in UTC),
// so that a filtered view can be shared by copying the address.

import type { Via } from '../../../src/contracts/audit-events.js';
import { auditEventsByCategory } from '../../../src/core/audit/event-catalog.js';

/** The event names to filter by, by category: the server's event catalog (src/core/audit/event-catalog.ts). */
export const EVENT_GROUPS = auditEventsByCategory();

/** The API's via values, in the order the filter offers them. */
export const VIAS: readonly Via[] = ['web', 'api', 'package_client', 'pipeline', 'system'];

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
  'event_kind',
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
