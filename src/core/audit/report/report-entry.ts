import type { AuditReportEntry } from '../../../contracts/audit-reports.js';
import type { AuditRecord } from '../audit-types.js';
import { auditEventLabel, auditEventSpec } from '../event-catalog.js';

// How a report names who did something and sorts each event into its lists, from the fields the
// record already carries (actor, pipeline, via, client): nothing is looked up again, so a deleted
// user or a revoked token is named as it was when it acted.

/** Which list of the report an event belongs to, if any (every event is counted in the summary). */
export type ReportSection = 'package_changes' | 'denied_attempts' | 'access_changes' | 'settings_changes';

/** Reads of the log and of packages: counted, never listed as changes. */
const READS = new Set(['package_registry_package_downloaded', 'container_registry_image_pulled', 'audit_events_exported']);

export function sectionOf(record: AuditRecord): ReportSection | null {
  const name = record.event_name as string;
  if (name.endsWith('_denied') || name === 'authentication_failed') return 'denied_attempts';
  if (READS.has(name)) return null;
  const category = auditEventSpec(name)?.category;
  if (category === 'package') return 'package_changes';
  if (category === 'access' || category === 'credential') return 'access_changes';
  if (category === 'settings' || name.startsWith('audit_event_streaming_destination_')) return 'settings_changes';
  return null;
}

const quoted = (name: string | null) => `"${name ?? '?'}"`;

/** e.g. `deploy token "release-bot" of acme/web-app`, `CI job 70 of pipeline #7 (acme/web-app, main @ abcdef1) for dev`. */
export function actorLabel(record: Pick<AuditRecord, 'actor' | 'pipeline'>): string {
  const { actor, pipeline } = record;
  switch (actor.type) {
    case 'user':
      return `user ${actor.username ?? '?'}`;
    case 'personal_access_token':
      return `personal access token ${quoted(actor.token_name)} of ${actor.username ?? '?'}`;
    case 'deploy_token':
      return `deploy token ${quoted(actor.token_name)} of ${actor.token_owner_path ?? '?'}`;
    case 'job_token':
      return pipeline
        ? `CI job ${pipeline.job_id} of pipeline #${pipeline.id} (${pipeline.project_path}, ${pipeline.ref} @ ${pipeline.sha.slice(0, 7)}) for ${actor.username ?? '?'}`
        : `CI job token ${quoted(actor.token_name)} for ${actor.username ?? '?'}`;
    case 'oidc':
      return pipeline
        ? `trusted publisher ${actor.trusted_publisher_id ?? '?'}: pipeline #${pipeline.id} of ${pipeline.project_path} (${pipeline.ref} @ ${pipeline.sha.slice(0, 7)})`
        : `trusted publisher ${actor.trusted_publisher_id ?? '?'}: ${actor.subject ?? '?'} of ${actor.issuer ?? '?'}`;
    case 'system':
      return systemLabel(actor);
    case 'anonymous':
      return 'anonymous';
    default:
      // A kind recorded by a later version: its type and whatever names it.
      return `${String(actor.type)} ${quoted(actor.token_name ?? actor.username)}`;
  }
}

function systemLabel(actor: AuditRecord['actor']): string {
  return `system: ${actor.name ?? 'Trove'}${actor.policy_id !== undefined ? ` #${actor.policy_id}` : ''}`;
}

/** The actor as the summary counts it: a pipeline's jobs count as that pipeline, everyone else as themselves. */
export function actorTallyLabel(record: Pick<AuditRecord, 'actor' | 'pipeline'>): string {
  if ((record.actor.type === 'job_token' || record.actor.type === 'oidc') && record.pipeline) return `pipeline #${record.pipeline.id} of ${record.pipeline.project_path}`;
  return actorLabel(record);
}

export function reportEntry(record: AuditRecord): AuditReportEntry {
  const pkg = record.package;
  return {
    id: record.id,
    seq: record.seq,
    created_at: record.created_at,
    event_name: record.event_name,
    label: auditEventLabel(record.event_name),
    outcome: record.outcome,
    reason: record.reason ?? null,
    actor: record.actor,
    actor_label: actorLabel(record),
    via: record.via,
    client: record.client,
    pipeline: record.pipeline,
    project: record.project?.full_path ?? null,
    target: record.details.target_details,
    package: pkg ? { format: pkg.format, name: pkg.name, version: pkg.version } : null,
    changes: record.changes,
    message: record.details.custom_message,
  };
}
