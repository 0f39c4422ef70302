// Readable words for the API's raw values (event names, via, actor types; format names come from
// the API, packages/package-formats.ts). The raw value
// stays one hover or one click away (title attributes, the event drawer), as a reviewer quoting
// an event to a SIEM or a ticket needs the exact name. The values come from the server's contracts,
// so a value the server adds without a label here does not compile.

import type { Via } from '../../../src/contracts/audit-events.js';
import type { Actor } from '../types';

export const VIA_LABELS: Record<Via, string> = {
  web: 'Web UI',
  api: 'REST API',
  package_client: 'Package client',
  pipeline: 'CI pipeline',
  system: 'Trove itself',
};

export const ACTOR_TYPE_LABELS: Record<Actor['type'], string> = {
  user: 'User',
  personal_access_token: 'Personal access token',
  deploy_token: 'Deploy token',
  job_token: 'CI job token',
  oidc: 'Trusted publisher (OIDC)',
  system: 'System',
  anonymous: 'Anonymous',
};

/** The token kinds the API's token_type filter takes (token ids are numbered per kind). */
export const TOKEN_TYPES = ['personal_access_token', 'deploy_token', 'job_token', 'oidc'] as const satisfies readonly Actor['type'][];

/** "package_registry_package_published" → "Package published": the label of the server's event catalog. */
export { auditEventLabel as eventLabel } from '../../../src/core/audit/event-catalog.js';

/** The label of a value, or the value itself when it has none (a value from an older or newer server). */
const labelOf = (labels: Record<string, string>, value: string) => labels[value] ?? value;

export const viaLabel = (via: string) => labelOf(VIA_LABELS, via);
export const actorTypeLabel = (type: string) => labelOf(ACTOR_TYPE_LABELS, type);

/** "Package client · npm 11.6.2": how the request came, and with which client. */
export function viaText(via: string, client: { name: string; version: string | null } | null): string {
  const how = client ? `${client.name}${client.version ? ` ${client.version}` : ''}` : null;
  return how ? `${viaLabel(via)} · ${how}` : viaLabel(via);
}
