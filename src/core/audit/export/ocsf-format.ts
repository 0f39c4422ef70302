import { toRecord } from '../audit-query.js';
import type { AuditRecord } from '../audit-types.js';
import { auditEventSpec, type OcsfActivity, type OcsfClass } from '../event-catalog.js';
import { PRODUCT, type ExportFormat } from './export-format.js';

// OCSF 1.3.0 (schema.ocsf.io), one JSON event per line:
// - API Activity (class 6003, category 6 Application Activity) for package events and for the
//   reads and failures of the API itself (exports, failed authentication);
// - Entity Management (class 3004, category 3 Identity & Access Management) for credentials
//   (tokens), settings, cleanup policies and streaming destinations: an entity was managed.
// Which event is which, and its activity, is in the event catalog (../event-catalog.ts).
// Whatever has no OCSF attribute goes to `unmapped`, so nothing of the record is lost.

const OCSF_VERSION = '1.3.0';

const CLASSES = {
  api_activity: { class_uid: 6003, class_name: 'API Activity', category_uid: 6, category_name: 'Application Activity' },
  entity_management: { class_uid: 3004, class_name: 'Entity Management', category_uid: 3, category_name: 'Identity & Access Management' },
} as const satisfies Record<OcsfClass, unknown>;

// Activity ids shared by both classes: 1 Create, 2 Read, 3 Update, 4 Delete, 99 Other;
// Entity Management also has 9 Disable (a revoked token still exists, but no longer works).
const ACTIVITIES: Record<OcsfActivity, { id: number; name: string }> = {
  create: { id: 1, name: 'Create' },
  read: { id: 2, name: 'Read' },
  update: { id: 3, name: 'Update' },
  delete: { id: 4, name: 'Delete' },
  disable: { id: 9, name: 'Disable' },
  other: { id: 99, name: 'Other' },
};

/** The event's OCSF class as the catalog says; a name it does not know is an API activity (of activity Other). */
export function ocsfClassOf(eventName: string) {
  return CLASSES[auditEventSpec(eventName)?.ocsf.class ?? 'api_activity'];
}

function activityOf(eventName: string) {
  return ACTIVITIES[auditEventSpec(eventName)?.ocsf.activity ?? 'other'];
}

/** OCSF severity: 1 Informational for what succeeded, 3 Medium for refusals and failed logins. */
function severityOf(e: AuditRecord): { severity_id: number; severity: string } {
  return e.outcome === 'failure' ? { severity_id: 3, severity: 'Medium' } : { severity_id: 1, severity: 'Informational' };
}

function withoutNulls<T extends Record<string, unknown>>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;
}

export function toOcsf(e: AuditRecord): Record<string, unknown> {
  const cls = ocsfClassOf(e.event_name);
  const activity = activityOf(e.event_name);
  const activityId = activity.id;
  const target = withoutNulls({
    uid: e.details.target_id === null ? null : String(e.details.target_id),
    name: e.details.target_details,
    type: e.details.target_type,
  });
  return {
    ...cls,
    activity_id: activityId,
    // Other: activity_name says which (refused writes, cleanup runs, failed authentication).
    activity_name: activityId === 99 ? e.event_name : activity.name,
    type_uid: cls.class_uid * 100 + activityId,
    time: Date.parse(e.created_at),
    ...severityOf(e),
    status_id: e.outcome === 'success' ? 1 : 2,
    status: e.outcome === 'success' ? 'Success' : 'Failure',
    ...(e.reason ? { status_detail: e.reason } : {}),
    message: e.details.custom_message,
    metadata: {
      uid: e.uuid,
      version: OCSF_VERSION,
      product: { name: PRODUCT.name, vendor_name: PRODUCT.vendorName, version: PRODUCT.version },
      event_code: e.event_name,
      original_time: e.created_at,
      ...(e.request_id ? { correlation_uid: e.request_id } : {}),
    },
    actor: {
      user: withoutNulls({
        name: e.details.author_name,
        uid: String(e.author_id),
        type: e.actor.type,
        credential_uid: e.actor.token_id === null ? null : String(e.actor.token_id),
      }),
    },
    api: withoutNulls({ operation: e.event_name, service: { name: PRODUCT.name }, request: e.request_id ? { uid: e.request_id } : null }),
    src_endpoint: withoutNulls({ ip: e.ip_address }),
    ...(e.user_agent ? { http_request: { user_agent: e.user_agent } } : {}),
    // API Activity requires `cloud`; a self-hosted registry is its own provider.
    ...(cls.class_uid === 6003 ? { cloud: { provider: 'self-hosted' }, resources: [target] } : { entity: target }),
    unmapped: {
      id: e.id,
      seq: e.seq,
      entity_type: e.entity_type,
      entity_id: e.entity_id,
      entity_path: e.details.entity_path,
      author_class: e.details.author_class,
      auth_token_type: e.details.auth_token_type,
      actor: e.actor,
      via: e.via,
      client: e.client,
      pipeline: e.pipeline,
      project: e.project,
      package: e.package,
      changes: e.changes,
      leaf_hash: e.leaf_hash ?? null,
    },
  };
}

export const ocsfFormat: ExportFormat = {
  name: 'ocsf',
  extension: 'ocsf.jsonl',
  contentType: 'application/x-ndjson; charset=utf-8',
  render: (events) => events.map(toRecord).map((e) => `${JSON.stringify(toOcsf(e))}\n`).join(''),
};
