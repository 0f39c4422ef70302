// Every audit event Trove records (docs/architecture.md#what-is-recorded), and what is known about each one before it happens:
// its label, its category, where it is stored, whether the package_audit_events setting governs
// it, which optional record fields it carries and how OCSF classifies it. The recorder, the export
// formats, the web UI's filters and docs/audit-events.md (npm run docs:events) all read this table,
// so an event is added here or not at all: AuditEventInput.eventName only takes these names.
// The names themselves are listed in src/contracts/audit-event-names.ts (the API's contract types
// event_name with them); this table must describe each of them and no other name.
// No Node imports: the web UI bundles this file.

import { AUDIT_EVENT_NAMES, type AuditEventName } from '../../contracts/audit-event-names.js';
import type { EntityType } from './audit-types.js';

export { AUDIT_EVENT_NAMES, type AuditEventName };

export type EventCategory = 'package' | 'settings' | 'credential' | 'access' | 'audit-log' | 'authentication' | 'integrity';

/** Readable names of the categories, in the catalog's order (the web UI groups its event filter by them). */
export const EVENT_CATEGORY_LABELS: Record<EventCategory, string> = {
  package: 'Packages',
  settings: 'Settings',
  credential: 'Credentials',
  access: 'Users, groups and projects',
  'audit-log': 'Audit log',
  authentication: 'Sign-in',
  integrity: 'Integrity',
};

/**
 * Optional parts of the record the event fills in when it applies (docs/architecture.md#the-audit-record); `pipeline` is not
 * listed: any event done with a CI job token carries it.
 */
export type EventField = 'project' | 'package' | 'changes' | 'reason' | 'credential_prefix' | 'count' | 'provenance';

/** OCSF 1.3.0 classes: API Activity (6003) or Entity Management (3004), see export/ocsf-format.ts. */
export type OcsfClass = 'api_activity' | 'entity_management';

/** OCSF activity: Create, Read, Update, Delete, Disable (a revoked token still exists), Other. */
export type OcsfActivity = 'create' | 'read' | 'update' | 'delete' | 'disable' | 'other';

export interface AuditEventSpec {
  label: string;
  category: EventCategory;
  /** The entity types the event is stored on, as recorded (audit-scope.ts). */
  scopes: readonly EntityType[];
  /** Recorded only where package_audit_events is enabled; every other event is always recorded. */
  followsPackageSetting: boolean;
  fields: readonly EventField[];
  ocsf: { class: OcsfClass; activity: OcsfActivity };
}

const PROJECT_SCOPES = ['Group', 'Project'] as const;
const API = 'api_activity';
const ENTITY = 'entity_management';

/** A package event: stored on the project's group (or the project in a user namespace), governed by the setting. */
function packageEvent(label: string, activity: OcsfActivity, fields: readonly EventField[] = ['project', 'package']) {
  return { label, category: 'package', scopes: PROJECT_SCOPES, followsPackageSetting: true, fields, ocsf: { class: API, activity } } as const;
}

function event<const S extends Omit<AuditEventSpec, 'followsPackageSetting'>>(spec: S) {
  return { ...spec, followsPackageSetting: false } as const;
}

const account = (label: string, activity: OcsfActivity, scopes: readonly EntityType[] = ['User']) =>
  event({ label, category: 'access', scopes, fields: ['changes'], ocsf: { class: API, activity } });

const groupEvent = (label: string, activity: OcsfActivity) => account(label, activity, ['Group']);
const projectEvent = (label: string, activity: OcsfActivity) =>
  event({ label, category: 'access', scopes: PROJECT_SCOPES, fields: ['project', 'changes'], ocsf: { class: API, activity } });
const memberEvent = (label: string, activity: OcsfActivity) => projectEvent(label, activity);
/** A project's rule is stored like its other events (Group or Project); a group's rule on the group, without a project. */
const protectionRuleEvent = (label: string, activity: OcsfActivity) =>
  event({ label, category: 'settings', scopes: PROJECT_SCOPES, fields: ['project', 'changes'], ocsf: { class: ENTITY, activity } });

const streamingDestination = (label: string, activity: OcsfActivity) =>
  event({ label, category: 'audit-log', scopes: ['Group', 'Instance'], fields: ['changes'], ocsf: { class: ENTITY, activity } });

export const AUDIT_EVENTS = {
  // `provenance` (details.provenance) when the files came with npm provenance or PEP 740 attestations.
  package_registry_package_published: packageEvent('Package published', 'create', ['project', 'package', 'provenance']),
  package_registry_package_file_added: packageEvent('Package file added', 'create', ['project', 'package', 'provenance']),
  package_registry_package_file_deleted: packageEvent('Package file deleted', 'delete'),
  package_registry_package_file_replaced: packageEvent('Package file replaced', 'update', ['project', 'package', 'changes']),
  package_registry_package_deleted: packageEvent('Package deleted', 'delete', ['project', 'package', 'reason']),
  package_registry_package_restored: packageEvent('Deleted package restored', 'update', ['project', 'package', 'changes']),
  package_registry_package_purged: packageEvent('Deleted package purged', 'delete', ['project', 'package', 'reason']),
  package_registry_package_tag_created: packageEvent('Dist-tag created', 'create', ['project', 'package', 'changes']),
  package_registry_package_tag_updated: packageEvent('Dist-tag moved', 'update', ['project', 'package', 'changes']),
  package_registry_package_tag_deleted: packageEvent('Dist-tag removed', 'delete', ['project', 'package', 'changes']),
  package_registry_package_deprecated: packageEvent('Package deprecated', 'update', ['project', 'package', 'changes']),
  package_registry_package_undeprecated: packageEvent('Package undeprecated', 'update', ['project', 'package', 'changes']),
  package_registry_package_metadata_updated: packageEvent('Package metadata updated', 'update', ['project', 'package', 'changes']),
  package_registry_package_downloaded: packageEvent('Package downloaded', 'read'),
  package_registry_package_publish_denied: packageEvent('Publish or delete refused', 'other', ['project', 'package', 'reason']),
  // Container images (src/container-registry): package events like the others (same scope, same setting); `package` names the
  // repository (format "container"), the tag or digest as version and the manifest as its one file.
  container_registry_repository_created: packageEvent('Container repository created', 'create'),
  container_registry_manifest_pushed: packageEvent('Container image pushed', 'create', ['project', 'package', 'changes']),
  container_registry_tag_created: packageEvent('Container tag created', 'create', ['project', 'package', 'changes']),
  container_registry_tag_moved: packageEvent('Container tag moved', 'update', ['project', 'package', 'changes']),
  container_registry_tag_deleted: packageEvent('Container tag deleted', 'delete', ['project', 'package', 'changes']),
  container_registry_manifest_deleted: packageEvent('Container image deleted', 'delete', ['project', 'package', 'changes']),
  container_registry_repository_deleted: packageEvent('Container repository deleted', 'delete', ['project', 'package', 'changes']),
  container_registry_image_pulled: packageEvent('Container image pulled', 'read'),
  container_registry_push_denied: packageEvent('Container push or delete refused', 'other', ['project', 'package', 'reason']),
  // Like the packages cleanup run: always recorded, counts in `changes`; each tag it deletes has its own tag_deleted event.
  container_expiration_policy_executed: event({
    label: 'Container cleanup policy executed',
    category: 'package',
    scopes: PROJECT_SCOPES,
    fields: ['project', 'changes', 'reason'],
    ocsf: { class: API, activity: 'other' },
  }),
  package_registry_cleanup_policy_executed: event({
    label: 'Cleanup policy executed',
    category: 'package',
    scopes: PROJECT_SCOPES,
    fields: ['project', 'changes', 'reason'],
    ocsf: { class: API, activity: 'other' },
  }),
  // Always recorded: a hold exists for an investigation, whatever the namespace's audit setting.
  package_legal_hold_set: event({
    label: 'Legal hold set',
    category: 'package',
    scopes: PROJECT_SCOPES,
    fields: ['project', 'package', 'changes'],
    ocsf: { class: ENTITY, activity: 'create' },
  }),
  package_legal_hold_released: event({
    label: 'Legal hold released',
    category: 'package',
    scopes: PROJECT_SCOPES,
    fields: ['project', 'package', 'changes'],
    ocsf: { class: ENTITY, activity: 'delete' },
  }),

  package_registry_audit_settings_updated: event({
    label: 'Audit settings updated',
    category: 'settings',
    scopes: ['Group', 'User'],
    fields: ['changes'],
    ocsf: { class: ENTITY, activity: 'update' },
  }),
  package_registry_format_settings_updated: event({
    label: 'Package registry settings updated',
    category: 'settings',
    scopes: ['Group', 'User'],
    fields: ['changes'],
    ocsf: { class: ENTITY, activity: 'update' },
  }),
  package_registry_cleanup_policy_updated: event({
    label: 'Cleanup policy updated',
    category: 'settings',
    scopes: PROJECT_SCOPES,
    fields: ['project', 'changes'],
    ocsf: { class: ENTITY, activity: 'update' },
  }),
  package_protection_rule_created: protectionRuleEvent('Package protection rule created', 'create'),
  package_protection_rule_updated: protectionRuleEvent('Package protection rule updated', 'update'),
  package_protection_rule_deleted: protectionRuleEvent('Package protection rule deleted', 'delete'),
  // Container tag protection and immutability rules (GitLab's tag rules): a project's, stored like its other events.
  container_tag_protection_rule_created: protectionRuleEvent('Container tag protection rule created', 'create'),
  container_tag_protection_rule_updated: protectionRuleEvent('Container tag protection rule updated', 'update'),
  container_tag_protection_rule_deleted: protectionRuleEvent('Container tag protection rule deleted', 'delete'),
  container_expiration_policy_updated: event({
    label: 'Container cleanup policy updated',
    category: 'settings',
    scopes: PROJECT_SCOPES,
    fields: ['project', 'changes'],
    ocsf: { class: ENTITY, activity: 'update' },
  }),
  // Trusted publishers (OIDC, docs/api.md#trusted-publishers): a project's stored like its other events, a group's on the group.
  trusted_publisher_created: protectionRuleEvent('Trusted publisher created', 'create'),
  trusted_publisher_updated: protectionRuleEvent('Trusted publisher updated', 'update'),
  trusted_publisher_deleted: protectionRuleEvent('Trusted publisher deleted', 'delete'),
  // A project's or group's Debian distribution (its Release fields, components, architectures and signing key's
  // fingerprint): what apt trusts and what a Release file lists.
  package_registry_debian_distribution_created: protectionRuleEvent('Debian distribution created', 'create'),
  package_registry_debian_distribution_updated: protectionRuleEvent('Debian distribution updated', 'update'),
  package_registry_debian_distribution_deleted: protectionRuleEvent('Debian distribution deleted', 'delete'),

  personal_access_token_created: event({ label: 'Personal access token created', category: 'credential', scopes: ['User'], fields: ['changes'], ocsf: { class: ENTITY, activity: 'create' } }),
  personal_access_token_revoked: event({ label: 'Personal access token revoked', category: 'credential', scopes: ['User'], fields: ['changes'], ocsf: { class: ENTITY, activity: 'disable' } }),
  deploy_token_created: event({ label: 'Deploy token created', category: 'credential', scopes: PROJECT_SCOPES, fields: ['project', 'changes'], ocsf: { class: ENTITY, activity: 'create' } }),
  deploy_token_revoked: event({ label: 'Deploy token revoked', category: 'credential', scopes: PROJECT_SCOPES, fields: ['project', 'changes'], ocsf: { class: ENTITY, activity: 'disable' } }),
  ci_job_token_issued: event({ label: 'CI job token issued', category: 'credential', scopes: PROJECT_SCOPES, fields: ['project', 'changes'], ocsf: { class: ENTITY, activity: 'create' } }),
  token_change_denied: event({
    label: 'Token change refused',
    category: 'credential',
    scopes: ['Instance', ...PROJECT_SCOPES],
    fields: ['project', 'changes', 'reason'],
    ocsf: { class: API, activity: 'other' },
  }),
  // A CI job's OIDC ID token exchanged for a 15-minute publish token (POST /api/v4/oidc/token): the
  // actor is `oidc` (issuer, subject, trusted publisher, identifying claims), stored on the project.
  oidc_token_exchanged: event({ label: 'OIDC token exchanged', category: 'credential', scopes: PROJECT_SCOPES, fields: ['project', 'changes'], ocsf: { class: ENTITY, activity: 'create' } }),
  // A refused exchange: the reason and the token's issuer and subject (never the token), stored on
  // the project when the exchange got as far as exactly one, else on the instance; repeats of one
  // identity, address and reason within a minute are one event with a count (as authentication_failed).
  oidc_token_exchange_denied: event({
    label: 'OIDC token exchange refused',
    category: 'credential',
    scopes: ['Group', 'Project', 'Instance'],
    fields: ['project', 'reason', 'credential_prefix', 'count'],
    ocsf: { class: API, activity: 'other' },
  }),

  user_created: account('User created', 'create'),
  user_updated: account('User updated', 'update'),
  user_blocked: account('User blocked', 'other'),
  user_unblocked: account('User unblocked', 'other'),
  user_deleted: account('User deleted', 'delete'),
  user_admin_granted: account('Administrator rights granted', 'other'),
  user_admin_revoked: account('Administrator rights revoked', 'delete'),
  group_created: groupEvent('Group created', 'create'),
  group_updated: groupEvent('Group updated', 'update'),
  group_visibility_changed: groupEvent('Group visibility changed', 'other'),
  group_transferred: groupEvent('Group transferred', 'other'),
  group_deleted: groupEvent('Group deleted', 'delete'),
  project_created: projectEvent('Project created', 'create'),
  project_updated: projectEvent('Project updated', 'update'),
  project_visibility_changed: projectEvent('Project visibility changed', 'other'),
  project_transferred: projectEvent('Project transferred', 'other'),
  project_deleted: projectEvent('Project deleted', 'delete'),
  member_added: memberEvent('Member added', 'other'),
  member_access_level_changed: memberEvent('Member access level changed', 'other'),
  member_removed: memberEvent('Member removed', 'other'),
  // A refused add, change or remove of a membership (a level above the caller's own, the last
  // owner, a caller who does not manage members): who tried, whom, which level, and why.
  member_change_denied: event({ label: 'Member change refused', category: 'access', scopes: PROJECT_SCOPES, fields: ['project', 'changes', 'reason'], ocsf: { class: API, activity: 'other' } }),
  access_review_completed: groupEvent('Access review completed', 'other'),

  audit_events_exported: event({
    label: 'Audit events exported',
    category: 'audit-log',
    scopes: ['Group', 'Project', 'User', 'Instance'],
    fields: ['project', 'changes'],
    ocsf: { class: API, activity: 'read' },
  }),
  audit_event_streaming_destination_created: streamingDestination('Audit event streaming destination created', 'create'),
  audit_event_streaming_destination_updated: streamingDestination('Audit event streaming destination updated', 'update'),
  audit_event_streaming_destination_deleted: streamingDestination('Audit event streaming destination deleted', 'delete'),

  authentication_failed: event({
    label: 'Sign-in or token refused',
    category: 'authentication',
    scopes: ['Instance'],
    fields: ['reason', 'credential_prefix', 'count'],
    ocsf: { class: API, activity: 'other' },
  }),
  user_signed_in: event({ label: 'User signed in', category: 'authentication', scopes: ['User'], fields: [], ocsf: { class: API, activity: 'other' } }),

  audit_integrity_alarm: event({ label: 'Audit integrity alarm', category: 'integrity', scopes: ['Instance'], fields: ['reason'], ocsf: { class: API, activity: 'other' } }),
  audit_integrity_alarm_acknowledged: event({
    label: 'Audit integrity alarm acknowledged',
    category: 'integrity',
    scopes: ['Instance'],
    fields: ['changes'],
    ocsf: { class: API, activity: 'other' },
  }),
  // An administrator verified the whole log in the database now (leaf hashes, seq, roots, signatures);
  // the outcome says whether it held. Trove's own self-checks are not events: they run every checkpoint.
  audit_log_verified: event({ label: 'Audit log verified', category: 'integrity', scopes: ['Instance'], fields: ['changes', 'reason'], ocsf: { class: API, activity: 'other' } }),
} as const satisfies Record<AuditEventName, AuditEventSpec>;

/** The event names of each category, categories and names in the catalog's order. */
export function auditEventsByCategory(): { category: EventCategory; label: string; names: AuditEventName[] }[] {
  return (Object.keys(EVENT_CATEGORY_LABELS) as EventCategory[]).map((category) => ({
    category,
    label: EVENT_CATEGORY_LABELS[category],
    names: AUDIT_EVENT_NAMES.filter((name) => AUDIT_EVENTS[name].category === category),
  }));
}

export function isAuditEventName(name: string): name is AuditEventName {
  return Object.hasOwn(AUDIT_EVENTS, name);
}

/** The catalog entry of a stored name; undefined for a name no longer (or never) recorded. */
export function auditEventSpec(name: string): AuditEventSpec | undefined {
  return isAuditEventName(name) ? AUDIT_EVENTS[name] : undefined;
}

/** Whether recording the event follows the package_audit_events setting (docs/architecture.md#scope-and-visibility). */
export function followsPackageSetting(name: string): boolean {
  return auditEventSpec(name)?.followsPackageSetting ?? false;
}

/** "Package published"; a name the catalog does not know is shown as it is. */
export function auditEventLabel(name: string): string {
  return auditEventSpec(name)?.label ?? name;
}
