import type { Db } from '../../../storage/db/database.js';
import type { AuditLog } from '../audit-log.js';
import type { AuditFilters } from '../audit-query.js';
import type { AuditContext, AuditScope } from '../audit-types.js';
import type { ExportFormat } from './export-format.js';

// Every export is itself audited (docs/architecture.md#scope-and-visibility, docs/api.md#audit-export: always recorded), before any data leaves.

const PARAMETER_NAMES: Record<Exclude<keyof AuditFilters, 'throughId' | 'authorTerms'>, string> = {
  createdAfter: 'created_after',
  createdBefore: 'created_before',
  eventNames: 'event_name',
  eventKind: 'event_kind',
  authorId: 'author_id',
  authorUsername: 'author_username',
  author: 'author',
  tokenId: 'token_id',
  tokenType: 'token_type',
  packageName: 'package_name',
  packageFormat: 'package_format',
  projectId: 'project_id',
  via: 'via',
  outcome: 'outcome',
  // Set by visibility, not by the caller: a developer's export holds only their own actions.
  onlyAuthorId: 'only_author_id',
};

/** The filters in the API's own parameter names, only those that were given. */
export function describeFilters(filters: AuditFilters, includeSubgroups: boolean): Record<string, unknown> {
  const described: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(PARAMETER_NAMES)) {
    const value = filters[key as keyof AuditFilters];
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) described[name] = value;
  }
  if (includeSubgroups) described.include_subgroups = true;
  return described;
}

/** The first line of a filtered JSONL export (jsonl-format.ts): what was left out, and why. */
export interface ExportHeader {
  filtered: true;
  /** "instance", or the group's or project's full path. */
  of: string;
  filters: Record<string, unknown>;
  proofs: boolean;
  /** The export ends with this seq (its own audit event is the next one). */
  through_seq: number;
}

/** The header of a filtered export, or null for an export of the whole log (instance, no filter). */
export function exportHeader(request: ExportRequest, bounded: AuditFilters): ExportHeader | null {
  const filters = describeFilters(request.filters, request.includeSubgroups);
  if (request.scope.entityType === 'Instance' && request.project === null && Object.keys(filters).length === 0) return null;
  return { filtered: true, of: request.label, filters, proofs: request.proofs === true, through_seq: bounded.throughId ?? 0 };
}

export interface ExportRequest {
  /** Where the export's own event is stored: the instance, or the group or project that was exported. */
  scope: AuditScope;
  project: { id: number; full_path: string } | null;
  /** What was exported, for the event's target: "instance", a group's or a project's full path. */
  label: string;
  format: ExportFormat;
  filters: AuditFilters;
  includeSubgroups: boolean;
  /** proofs=true: records carry inclusion proofs (export-proofs.ts); recorded in `changes`. */
  proofs?: boolean;
}

/**
 * Records `audit_events_exported` in a transaction of its own and returns the filters the export
 * must use: those given, ending just before this event. Appends are serialised (audit-log.ts), so
 * every event with a lower id has committed; the export never contains its own event nor any
 * event recorded while it streams, and two exports with the same filters differ only by that.
 */
export async function recordExport(db: Db, audit: AuditLog, ctx: AuditContext, request: ExportRequest): Promise<AuditFilters> {
  const filters = describeFilters(request.filters, request.includeSubgroups);
  const shown = Object.entries(filters).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`).join(' ');
  const event = await audit.recordAlone(db, ctx, {
    eventName: 'audit_events_exported',
    scope: request.scope,
    project: request.project,
    target: { id: null, type: 'AuditEvents', details: request.label },
    customMessage: `Exported audit events of ${request.label} as ${request.format.name}${request.proofs ? ' with inclusion proofs' : ''}${shown ? ` (${shown})` : ''}`,
    changes: {
      format: { from: null, to: request.format.name },
      filters: { from: null, to: filters },
      ...(request.proofs ? { proofs: { from: null, to: true } } : {}),
    },
  });
  if (!event) throw new Error('audit_events_exported was not recorded');
  return { ...request.filters, throughId: event.id - 1 };
}
