import { AUDIT_EVENT_NAMES, AUDIT_EVENTS, EVENT_CATEGORY_LABELS, type EventCategory } from './event-catalog.js';

// docs/audit-events.md, written from the event catalog by `npm run docs:events`
// (scripts/audit-events-doc.ts); a unit test fails when the committed page differs.

const CATEGORY_NOTES: Record<EventCategory, string> = {
  package: 'package versions, files, tags and cleanup runs',
  settings: 'audit settings and cleanup policies',
  credential: 'personal access, deploy and CI job tokens',
  access: 'users, groups, projects and memberships',
  'audit-log': 'exports and streaming of the audit log itself',
  authentication: 'sign-ins and refused credentials',
  integrity: 'self-checks of the sealed log',
};

const OCSF_CLASS_UIDS = { api_activity: 6003, entity_management: 3004 } as const;

const cell = (values: readonly string[]) => (values.length ? values.map((v) => `\`${v}\``).join(', ') : '–');

export function renderAuditEventsDoc(): string {
  const rows = AUDIT_EVENT_NAMES.map((name) => {
    const e = AUDIT_EVENTS[name];
    return `| \`${name}\` | ${e.label} | ${e.category} | ${e.scopes.join(', ')} | ${e.followsPackageSetting ? 'yes' : 'no'} | ${cell(e.fields)} | ${OCSF_CLASS_UIDS[e.ocsf.class]} ${e.ocsf.activity} |`;
  });
  const categories = Object.entries(CATEGORY_NOTES).map(([category, note]) => `- **${category}** (${EVENT_CATEGORY_LABELS[category as EventCategory]}): ${note}`);
  return [
    '# Audit event catalog',
    '',
    '<!-- Generated from src/core/audit/event-catalog.ts by `npm run docs:events`; edit the catalog, not this page. -->',
    '',
    `Every event Trove records (${AUDIT_EVENT_NAMES.length}), as the server, the exports and the web UI's filters know them.`,
    'The code cannot record a name that is not in the catalog (it does not compile), and a unit test',
    'fails when the catalog lists a name nothing records.',
    '',
    '- **Scope**: the entity types the event is stored on. A project\'s events are stored on its',
    '  parent group, or on the project itself when it sits in a user namespace; the project is then',
    '  in the record\'s `project` field.',
    '- **Setting**: `yes` when the event is recorded only where `package_audit_events` is enabled;',
    '  every other event is always recorded.',
    '- **Fields**: the optional record fields the event fills in (`reason` on failure). Every record',
    '  has the GitLab fields, `actor`, `via`, `client` and `request_id`; `pipeline` is filled in for',
    '  whatever a CI job token does.',
    '- **OCSF**: the class (6003 API Activity, 3004 Entity Management) and activity of the OCSF export.',
    '',
    'Categories:',
    '',
    ...categories,
    '',
    '| Event name | Label | Category | Scope | Setting | Fields | OCSF |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
