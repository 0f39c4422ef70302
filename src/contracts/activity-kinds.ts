// The kinds of activity the audit pages chart per day (docs/api.md#audit-activity), and which kind
// each audit event is: the one place that says so. The activity endpoint counts with it, the events
// list and export filter by it (event_kind=), the web UI labels its chart with it. Every event name
// must have a kind (the map does not compile otherwise), so a new event is classified when it is added.
// Imports nothing but the event names: the web UI bundles it.

import { AUDIT_EVENT_NAMES, type AuditEventName } from './audit-event-names.js';

/** Stacked in this order, bottom to top. */
export const ACTIVITY_KINDS = ['publish', 'delete', 'denied', 'access', 'settings', 'other'] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

export const ACTIVITY_KIND_LABELS: Record<ActivityKind, string> = {
  publish: 'Publish and change',
  delete: 'Delete',
  denied: 'Denied',
  access: 'Access',
  settings: 'Settings',
  other: 'Other',
};

/**
 * publish: what clients install came into being or changed (a version, file, dist-tag set or moved,
 * deprecation, status, a restore, an image or tag pushed or moved); delete: it went away (a version, file, dist-tag, a purge); denied: a refused write or credential; access: who may
 * do what (members, credentials, accounts, visibility); settings: how the registry and the audit
 * log behave (settings, cleanup policy, protection rules, legal holds, streaming destinations);
 * other: reads and the rest (downloads, exports, sign-ins, cleanup runs, namespace lifecycle,
 * the log's own integrity events). A stored name the catalog no longer knows counts as other.
 */
export const ACTIVITY_KIND_OF = {
  package_registry_package_published: 'publish',
  package_registry_package_file_added: 'publish',
  package_registry_package_file_replaced: 'publish',
  package_registry_package_restored: 'publish',
  package_registry_package_tag_created: 'publish',
  package_registry_package_tag_updated: 'publish',
  package_registry_package_deprecated: 'publish',
  package_registry_package_undeprecated: 'publish',
  package_registry_package_metadata_updated: 'publish',
  package_registry_package_deleted: 'delete',
  package_registry_package_file_deleted: 'delete',
  package_registry_package_purged: 'delete',
  package_registry_package_tag_deleted: 'delete',
  package_registry_package_publish_denied: 'denied',
  container_registry_repository_created: 'publish',
  container_registry_manifest_pushed: 'publish',
  container_registry_tag_created: 'publish',
  container_registry_tag_moved: 'publish',
  container_registry_tag_deleted: 'delete',
  container_registry_manifest_deleted: 'delete',
  container_registry_repository_deleted: 'delete',
  container_registry_image_pulled: 'other',
  container_registry_push_denied: 'denied',
  container_expiration_policy_executed: 'other',
  authentication_failed: 'denied',
  oidc_token_exchange_denied: 'denied',
  personal_access_token_created: 'access',
  personal_access_token_revoked: 'access',
  deploy_token_created: 'access',
  deploy_token_revoked: 'access',
  ci_job_token_issued: 'access',
  token_change_denied: 'access',
  oidc_token_exchanged: 'access',
  user_created: 'access',
  user_updated: 'access',
  user_blocked: 'access',
  user_unblocked: 'access',
  user_deleted: 'access',
  user_admin_granted: 'access',
  user_admin_revoked: 'access',
  member_added: 'access',
  member_access_level_changed: 'access',
  member_removed: 'access',
  member_change_denied: 'access',
  access_review_completed: 'access',
  group_visibility_changed: 'access',
  project_visibility_changed: 'access',
  package_registry_audit_settings_updated: 'settings',
  package_registry_format_settings_updated: 'settings',
  package_registry_cleanup_policy_updated: 'settings',
  package_protection_rule_created: 'settings',
  package_protection_rule_updated: 'settings',
  package_protection_rule_deleted: 'settings',
  container_tag_protection_rule_created: 'settings',
  container_tag_protection_rule_updated: 'settings',
  container_tag_protection_rule_deleted: 'settings',
  container_expiration_policy_updated: 'settings',
  trusted_publisher_created: 'settings',
  trusted_publisher_updated: 'settings',
  trusted_publisher_deleted: 'settings',
  package_registry_debian_distribution_created: 'settings',
  package_registry_debian_distribution_updated: 'settings',
  package_registry_debian_distribution_deleted: 'settings',
  package_legal_hold_set: 'settings',
  package_legal_hold_released: 'settings',
  audit_event_streaming_destination_created: 'settings',
  audit_event_streaming_destination_updated: 'settings',
  audit_event_streaming_destination_deleted: 'settings',
  package_registry_package_downloaded: 'other',
  package_registry_cleanup_policy_executed: 'other',
  group_created: 'other',
  group_updated: 'other',
  group_transferred: 'other',
  group_deleted: 'other',
  project_created: 'other',
  project_updated: 'other',
  project_transferred: 'other',
  project_deleted: 'other',
  audit_events_exported: 'other',
  user_signed_in: 'other',
  audit_integrity_alarm: 'other',
  audit_integrity_alarm_acknowledged: 'other',
  audit_log_verified: 'other',
} as const satisfies Record<AuditEventName, ActivityKind>;

export function isActivityKind(value: string): value is ActivityKind {
  return (ACTIVITY_KINDS as readonly string[]).includes(value);
}

/** The kind of a stored event name (other for a name the catalog does not know). */
export function activityKindOf(eventName: string): ActivityKind {
  return Object.hasOwn(ACTIVITY_KIND_OF, eventName) ? ACTIVITY_KIND_OF[eventName as AuditEventName] : 'other';
}

/** The event names of a kind. */
export function eventNamesOfKind(kind: ActivityKind): AuditEventName[] {
  return AUDIT_EVENT_NAMES.filter((name) => ACTIVITY_KIND_OF[name] === kind);
}
