import type { AuditReport, AuditReportEntry, AuditReportVerificationStatus } from '../../../contracts/audit-reports.js';

// The words of a report, shared by the printable HTML (report-html.ts) and the web UI's report
// page, so that the document an auditor prints and the one in the pack say the same thing.
// No Node imports: the web UI bundles this file.

export type ReportListKey = 'package_changes' | 'denied_attempts' | 'access_changes' | 'settings_changes';

/** The report's sections in print order; each title is a heading of the printed document. */
export const REPORT_SECTIONS = {
  summary: 'Summary',
  package_changes: 'Package changes',
  denied_attempts: 'Denied attempts',
  access_changes: 'Access changes',
  settings_changes: 'Settings changes',
  integrity: 'Log integrity',
} as const;

export const REPORT_LISTS: ReadonlyArray<{ key: ReportListKey; title: string; empty: string }> = [
  { key: 'package_changes', title: REPORT_SECTIONS.package_changes, empty: 'No package was published, changed or deleted.' },
  { key: 'denied_attempts', title: REPORT_SECTIONS.denied_attempts, empty: 'No attempt was refused.' },
  { key: 'access_changes', title: REPORT_SECTIONS.access_changes, empty: 'No member, token or account changed.' },
  { key: 'settings_changes', title: REPORT_SECTIONS.settings_changes, empty: 'No setting changed.' },
];

const ACTOR_KINDS: Record<string, string> = {
  user: 'Users (signed in)',
  personal_access_token: 'Personal access tokens',
  deploy_token: 'Deploy tokens',
  job_token: 'CI pipelines (job tokens)',
  oidc: 'CI pipelines (trusted publishing, OIDC)',
  system: 'System (policies, Trove itself)',
  anonymous: 'Anonymous',
};

export const actorKindLabel = (kind: string) => ACTOR_KINDS[kind] ?? kind;

const VIA: Record<string, string> = { web: 'web UI', api: 'API', package_client: 'package client', pipeline: 'pipeline', system: 'system' };

export const viaLabel = (via: string) => VIA[via] ?? via;

/** How it came: "package client (npm 11.6.2)", "pipeline #7 (main @ abcdef1, npm 11.6.2)", "web UI". */
export function howLabel(entry: Pick<AuditReportEntry, 'via' | 'client' | 'pipeline'>): string {
  const client = entry.client ? `${entry.client.name}${entry.client.version ? ` ${entry.client.version}` : ''}` : null;
  const pipeline = entry.pipeline ? `#${entry.pipeline.id}, ${entry.pipeline.ref} @ ${entry.pipeline.sha.slice(0, 7)}` : null;
  const details = [pipeline, client].filter(Boolean).join(', ');
  return `${viaLabel(entry.via)}${details ? ` (${details})` : ''}`;
}

const shown = (value: unknown) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === undefined ? '' : text.length > 120 ? `${text.slice(0, 117)}...` : text;
};

/** What: the target, then each change as "field: from → to". */
export function whatLabel(entry: Pick<AuditReportEntry, 'target' | 'changes' | 'reason' | 'outcome'>): string {
  const changes = Object.entries(entry.changes ?? {}).map(([field, change]) => `${field}: ${shown(change.from)} → ${shown(change.to)}`);
  const refused = entry.outcome === 'failure' && entry.reason ? [`refused: ${entry.reason}`] : [];
  return [entry.target, ...refused, ...changes].join('; ');
}

/** "2026-07-01 00:00:00 UTC": reports state times in UTC, whatever the reader's zone. */
export const utc = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;

const STATUS: Record<AuditReportVerificationStatus, string> = {
  verified: 'Verified',
  partly_sealed: 'Verified, latest events not sealed yet',
  not_sealed: 'Not sealed yet',
  no_events: 'No events',
  not_checked: 'Not checked by the server',
  failed: 'FAILED',
};

export const integrityStatusLabel = (status: AuditReportVerificationStatus) => STATUS[status];

/** "group acme (with subgroups)". */
export function scopeLabel(scope: AuditReport['scope']): string {
  if (scope.kind === 'instance') return 'the whole instance';
  return `${scope.kind} ${scope.label}${scope.include_subgroups ? ' (with subgroups)' : ''}`;
}

/** The period as people say it: to is excluded. */
export const periodLabel = (period: AuditReport['period']) => `${utc(period.from)} to ${utc(period.to)} (excluded)`;

/** "showing the first 5000 of 6200: the other 1200 are in the export". */
export function cappedNote(list: { total: number; items: unknown[] }): string | null {
  const more = list.total - list.items.length;
  return more > 0 ? `Showing the first ${list.items.length} of ${list.total}; ${more} more, see the JSONL export of this period.` : null;
}
