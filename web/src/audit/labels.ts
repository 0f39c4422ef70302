// Readable words for the API's raw values (event names, via, actor types, formats). The raw value
// stays one hover or one click away (title attributes, the event drawer), as a reviewer quoting
// an event to a SIEM or a ticket needs the exact name.

/** Package formats Trove serves (src/formats/index.ts), as the API's package_format values. */
export const PACKAGE_FORMATS: Record<string, string> = { npm: 'npm', pypi: 'PyPI', generic: 'Generic' };

export const VIA_LABELS: Record<string, string> = {
  web: 'Web UI',
  api: 'REST API',
  package_client: 'Package client',
  pipeline: 'CI pipeline',
  system: 'Trove itself',
};

export const ACTOR_TYPE_LABELS: Record<string, string> = {
  user: 'User',
  personal_access_token: 'Personal access token',
  deploy_token: 'Deploy token',
  job_token: 'CI job token',
  system: 'System',
  anonymous: 'Anonymous',
};

/** The token kinds the API's token_type filter takes (token ids are numbered per kind). */
export const TOKEN_TYPES = ['personal_access_token', 'deploy_token', 'job_token'] as const;

// Where a mechanical rewrite of the name would read badly.
const EVENT_LABELS: Record<string, string> = {
  package_registry_package_tag_created: 'Dist-tag created',
  package_registry_package_tag_updated: 'Dist-tag moved',
  package_registry_package_tag_deleted: 'Dist-tag removed',
  package_registry_package_publish_denied: 'Publish or delete refused',
  package_registry_settings_updated: 'Registry settings updated',
  package_registry_audit_settings_updated: 'Audit settings updated',
  ci_job_token_issued: 'CI job token issued',
  audit_events_exported: 'Audit events exported',
  authentication_failed: 'Sign-in or token refused',
  user_admin_granted: 'Administrator rights granted',
  user_admin_revoked: 'Administrator rights revoked',
};

const sentence = (words: string) => words.charAt(0).toUpperCase() + words.slice(1);

/** "package_registry_package_published" → "Package published". */
export function eventLabel(name: string): string {
  return EVENT_LABELS[name] ?? sentence(name.replace(/^package_registry_/, '').replaceAll('_', ' '));
}

export const viaLabel = (via: string) => VIA_LABELS[via] ?? via;
export const actorTypeLabel = (type: string) => ACTOR_TYPE_LABELS[type] ?? type;
export const formatLabel = (format: string) => PACKAGE_FORMATS[format] ?? format;

/** "Package client · npm 11.6.2": how the request came, and with which client. */
export function viaText(via: string, client: { name: string; version: string | null } | null): string {
  const how = client ? `${client.name}${client.version ? ` ${client.version}` : ''}` : null;
  return how ? `${viaLabel(via)} · ${how}` : viaLabel(via);
}
