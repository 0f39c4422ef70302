import type { AccessReview, AccessReviewEntry, WriteCredential } from '../../contracts/access-review.js';
import type { Actor } from '../../contracts/actors.js';
import { accessLevelName } from '../accounts/access-levels.js';
import { csvRecord } from '../audit/export/csv-format.js';

// The access review as one RFC 4180 file for a spreadsheet: a row per project access, then a row
// per credential that can write, told apart by the first column, with the audit export's escaping
// (and formula neutralising: usernames and token names are whatever their owners typed).

type Cell = string | number | null | undefined;
type Column<T> = [header: string, value: (row: T) => Cell];

/** "olga", "olga (token “laptop”)", "deploy token “release-bot”", or the system mechanism's name. */
export function actorLabel(actor: Actor): string {
  if (actor.type === 'system') return actor.name ?? 'Trove';
  if (actor.type === 'deploy_token') return `deploy token “${actor.token_name}”`;
  if (actor.token_name) return `${actor.username} (token “${actor.token_name}”)`;
  return actor.username ?? actor.type;
}

const capitalised = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

const ACCESS_COLUMNS: Column<AccessReviewEntry>[] = [
  ['Project', (a) => a.project.full_path],
  ['User', (a) => a.user.username],
  ['User State', (a) => a.user.state],
  ['Access Level', (a) => a.access_level],
  ['Role', (a) => capitalised(accessLevelName(a.access_level))],
  ['Membership', (a) => a.membership],
  ['Inherited From', (a) => a.inherited_from?.full_path],
  ['Granted At', (a) => a.granted?.granted_at ?? 'unknown'],
  ['Granted By', (a) => (a.granted ? actorLabel(a.granted.granted_by) : 'unknown')],
  ['Granted Via', (a) => a.granted?.via],
  ['Grant Event ID', (a) => a.granted?.event_id],
  ['Membership Expires', (a) => a.expires_at],
];

const CREDENTIAL_COLUMNS: Column<WriteCredential>[] = [
  ['Credential Kind', (c) => c.kind],
  ['Credential ID', (c) => c.id],
  ['Credential Name', (c) => c.name],
  ['Owner Type', (c) => c.owner.type],
  ['Owner', (c) => c.owner.path],
  ['Scopes', (c) => c.scopes.join(' ')],
  ['Created At', (c) => c.created_at],
  ['Expires At', (c) => c.expires_at],
  ['Last Used At', (c) => c.last_used_at],
  ['Stale', (c) => (c.stale ? 'yes' : 'no')],
  ['Stale Reason', (c) => c.stale_reason],
];

export const ACCESS_REVIEW_CSV_HEADERS = ['Record', ...ACCESS_COLUMNS.map(([h]) => h), ...CREDENTIAL_COLUMNS.map(([h]) => h)];

export function accessReviewCsv(review: AccessReview): string {
  const blankAccess = ACCESS_COLUMNS.map(() => null);
  const blankCredential = CREDENTIAL_COLUMNS.map(() => null);
  let text = csvRecord(ACCESS_REVIEW_CSV_HEADERS);
  for (const a of review.access) text += csvRecord(['access', ...ACCESS_COLUMNS.map(([, value]) => value(a)), ...blankCredential]);
  for (const c of review.credentials) text += csvRecord(['credential', ...blankAccess, ...CREDENTIAL_COLUMNS.map(([, value]) => value(c))]);
  return text;
}
