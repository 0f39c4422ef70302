import { sql, type SelectQueryBuilder } from 'kysely';
import type { Db } from '../../storage/db/database.js';
import { isPostgres } from '../../storage/db/dialect-types.js';
import type { Database } from '../../storage/db/schema.js';
import { errors } from '../errors.js';
import { indexedThrough } from './audit-indexer.js';
import { ACTIVITY_KINDS, eventNamesOfKind, isActivityKind, type ActivityKind } from '../../contracts/activity-kinds.js';
import type { AuditEvent } from '../../contracts/audit-events.js';
import type { AuditRecord } from './audit-types.js';

type EventQuery = SelectQueryBuilder<Database, 'audit_events', object>;

/** Which slice of the log a caller looks at (docs/architecture.md#scope-and-visibility views), and whether only their own actions. */
export type AuditView =
  | { kind: 'instance' }
  | { kind: 'groups'; groupIds: number[] }
  | { kind: 'project'; projectId: number }
  | { kind: 'user'; userId: number };

export interface AuditFilters {
  createdAfter?: string;
  createdBefore?: string;
  eventNames?: string[];
  /** Events of one activity kind (contracts/activity-kinds.ts), as the activity chart counts them. */
  eventKind?: ActivityKind;
  authorId?: number;
  authorUsername?: string;
  /** A username or a token name (the web UI's author box): events of that user or of tokens so named. */
  author?: string;
  /** Which of `author`'s two readings has any event at all (resolveAuthor); unset: both. */
  authorTerms?: AuthorTerms;
  tokenId?: number;
  /** Token ids are per kind (personal, deploy, job, OIDC): token_type says which kind token_id means. */
  tokenType?: string;
  packageName?: string;
  packageFormat?: string;
  projectId?: number;
  via?: string;
  outcome?: string;
  /** Restricts to one author: developers and maintainers see only their own actions. */
  onlyAuthorId?: number;
  /** Events up to and including this id only: an export's fixed end (it never sees later events). */
  throughId?: number;
}

function isoOrFail(value: string | undefined, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw errors.badRequest(`${name} is invalid`);
  return new Date(time).toISOString();
}

function intOrFail(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw errors.badRequest(`${name} is invalid`);
  return Number(value);
}

export const VIA = ['web', 'api', 'package_client', 'pipeline', 'system'] as const;
export const TOKEN_TYPES = ['personal_access_token', 'deploy_token', 'job_token', 'oidc'] as const;

const isOneOf = <T extends string>(values: readonly T[], value: string): value is T => (values as readonly string[]).includes(value);

/** the query parameters of docs/api.md#audit-events as text, as the API's query string and the CLI's options give them. */
export interface AuditFilterParams {
  created_after?: string;
  created_before?: string;
  /** Repeats: event_name=a&event_name=b, or event_name[]=a. */
  event_name?: string[];
  'event_name[]'?: string[];
  event_kind?: string;
  author_id?: string;
  author_username?: string;
  author?: string;
  token_id?: string;
  token_type?: string;
  package_name?: string;
  package_format?: string;
  project_id?: string;
  via?: string;
  outcome?: string;
}

/** Parses the query parameters of docs/api.md#audit-events (400 for a value that is not one). */
export function parseAuditFilters(query: AuditFilterParams): AuditFilters {
  const eventNames = query.event_name ?? query['event_name[]'];
  const via = query.via;
  if (via !== undefined && !isOneOf(VIA, via)) throw errors.badRequest(`via must be one of ${VIA.join(', ')}`);
  const tokenType = query.token_type || undefined;
  if (tokenType !== undefined && !isOneOf(TOKEN_TYPES, tokenType)) throw errors.badRequest(`token_type must be one of ${TOKEN_TYPES.join(', ')}`);
  const outcome = query.outcome;
  if (outcome !== undefined && outcome !== 'success' && outcome !== 'failure') throw errors.badRequest('outcome must be success or failure');
  const eventKind = query.event_kind || undefined;
  if (eventKind !== undefined && !isActivityKind(eventKind)) throw errors.badRequest(`event_kind must be one of ${ACTIVITY_KINDS.join(', ')}`);
  return {
    createdAfter: isoOrFail(query.created_after, 'created_after'),
    createdBefore: isoOrFail(query.created_before, 'created_before'),
    eventNames,
    eventKind,
    authorId: intOrFail(query.author_id, 'author_id'),
    authorUsername: query.author_username || undefined,
    author: query.author || undefined,
    tokenId: intOrFail(query.token_id, 'token_id'),
    tokenType,
    packageName: query.package_name || undefined,
    packageFormat: query.package_format || undefined,
    projectId: intOrFail(query.project_id, 'project_id'),
    via,
    outcome,
  };
}

export function filteredEvents(db: Db, view: AuditView, filters: AuditFilters): EventQuery {
  let q: EventQuery = db.selectFrom('audit_events');
  if (view.kind === 'groups') q = q.where('entity_type', '=', 'Group').where('entity_id', 'in', view.groupIds);
  if (view.kind === 'project') q = q.where('project_id', '=', view.projectId);
  if (view.kind === 'user') q = q.where('entity_type', '=', 'User').where('entity_id', '=', view.userId);
  if (filters.onlyAuthorId !== undefined) q = q.where('author_id', '=', filters.onlyAuthorId);
  if (filters.createdAfter) q = q.where('created_at', '>=', filters.createdAfter);
  if (filters.createdBefore) q = q.where('created_at', '<=', filters.createdBefore);
  if (filters.eventNames?.length) q = q.where('event_name', 'in', filters.eventNames);
  if (filters.eventKind) q = whereKind(q, filters.eventKind);
  if (filters.authorId !== undefined) q = q.where('author_id', '=', filters.authorId);
  // A user's username: a deploy token's events carry the token's username, which is no user's.
  if (filters.authorUsername) q = q.where('author_username', '=', filters.authorUsername).where('actor_type', '<>', 'deploy_token');
  if (filters.author) q = whereAuthor(db, q, filters.author, filters.authorTerms ?? { username: true, tokenName: true });
  if (filters.tokenId !== undefined) q = q.where('token_id', '=', filters.tokenId);
  if (filters.tokenType) q = q.where('actor_type', '=', filters.tokenType);
  if (filters.packageName) q = q.where('package_name', '=', filters.packageName);
  if (filters.packageFormat) q = q.where('package_format', '=', filters.packageFormat);
  if (filters.projectId !== undefined) q = q.where('project_id', '=', filters.projectId);
  if (filters.via) q = q.where('via', '=', filters.via);
  if (filters.outcome) q = q.where('outcome', '=', filters.outcome as 'success' | 'failure');
  if (filters.throughId !== undefined) q = q.where('id', '<=', filters.throughId);
  return q;
}

/** `other` also holds stored names the catalog no longer knows: everything no other kind names. */
function whereKind(q: EventQuery, kind: ActivityKind): EventQuery {
  if (kind !== 'other') return q.where('event_name', 'in', eventNamesOfKind(kind));
  const named = ACTIVITY_KINDS.filter((k) => k !== 'other').flatMap(eventNamesOfKind);
  return q.where('event_name', 'not in', named);
}

/** The token name an event's actor used, as migration 019 indexes it (the expression must match). */
function tokenNameOf(db: Db) {
  return isPostgres(db) ? sql<string>`trove_audit_token_name(record)` : sql<string>`json_extract(record, '$.actor.token_name')`;
}

export interface AuthorTerms {
  username: boolean;
  tokenName: boolean;
}

/**
 * `author`: a user's username (not a deploy token's generated one) or a token's name. Each reading
 * alone is a walk down one index (migration 019), newest first, as fast for a name with a million
 * events as for one with three. An OR of both is not: SQLite then walks the whole log by id (3 s at
 * a million events for a name that matches nothing) or gathers every match before sorting (5 s for
 * a busy one), so resolveAuthor first asks each index whether the name occurs at all, and only
 * the readings that do are kept: in practice one, as users and tokens are rarely named alike.
 * Names are matched as recorded in the events, not looked up in the token tables, so a revoked
 * token, or one whose group was deleted, is still found by the name its events carry.
 */
function whereAuthor(db: Db, q: EventQuery, author: string, terms: AuthorTerms): EventQuery {
  return q.where((eb) => {
    const readings = [];
    if (terms.username) readings.push(eb.and([eb('author_username', '=', author), eb('actor_type', '<>', 'deploy_token')]));
    if (terms.tokenName) readings.push(eb(tokenNameOf(db), '=', author));
    return readings.length ? eb.or(readings) : sql<boolean>`1 = 0`;
  });
}

async function anyEvent(db: Db, query: EventQuery): Promise<boolean> {
  for (const part of await splitAtIndexMark(db, query, 'desc')) if (await part.select('id').limit(1).executeTakeFirst()) return true;
  return false;
}

/** Which readings of `author` have events anywhere in the log (two index seeks; see whereAuthor). */
export async function resolveAuthor(db: Db, author: string): Promise<AuthorTerms> {
  const events = db.selectFrom('audit_events');
  const [username, tokenName] = await Promise.all([
    anyEvent(db, whereAuthor(db, events, author, { username: true, tokenName: false })),
    anyEvent(db, whereAuthor(db, events, author, { username: false, tokenName: true })),
  ]);
  return { username, tokenName };
}

type Order = 'asc' | 'desc';

/**
 * The filtered log as the parts a listing reads, in the listing's order. On SQLite (migration
 * 012) the log is split at the indexer's mark: the events up to it through the partial filter
 * indexes (the literal `indexed = 1` lets SQLite match them), the few after it by id. The mark is
 * read once; events never leave the indexes, so the split holds for every statement that
 * follows, and each event is in exactly one part. PostgreSQL indexes at insert: one part.
 */
export async function partsInOrder(db: Db, view: AuditView, filters: AuditFilters, order: Order): Promise<EventQuery[]> {
  const resolved = filters.author && !filters.authorTerms ? { ...filters, authorTerms: await resolveAuthor(db, filters.author) } : filters;
  return splitAtIndexMark(db, filteredEvents(db, view, resolved), order);
}

async function splitAtIndexMark(db: Db, all: EventQuery, order: Order): Promise<EventQuery[]> {
  if (isPostgres(db)) return [all];
  const mark = await indexedThrough(db);
  const indexed = all.where('indexed', '=', sql.lit(1)).where('id', '<=', mark);
  const after = all.where('id', '>', mark);
  return order === 'asc' ? [indexed, after] : [after, indexed];
}

async function countOf(part: EventQuery): Promise<number> {
  const row = await part.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * `select id, record, leaf_hash ... order by id <order> limit/offset` over the parts one after
 * the other. An offset is counted off the first parts (in newest-first listings: the few events
 * after the mark). The first answer's own array is returned (the others appended to it):
 * export-stream.ts empties it once rendered, which on PostgreSQL keeps the export's memory flat.
 */
async function selectInOrder(parts: EventQuery[], order: Order, page: { limit: number; offset?: number }): Promise<StoredEvent[]> {
  let rows: StoredEvent[] | undefined;
  let skip = page.offset ?? 0;
  for (const [i, part] of parts.entries()) {
    const wanted = page.limit - (rows?.length ?? 0);
    if (wanted <= 0) break;
    if (skip > 0 && i < parts.length - 1) {
      const inPart = await countOf(part);
      if (inPart <= skip) {
        skip -= inPart;
        continue;
      }
    }
    const answer = await part.select(['id', 'record', 'leaf_hash']).orderBy('id', order).limit(wanted).offset(skip).execute();
    if (rows) rows.push(...answer);
    else rows = answer;
    skip = 0;
  }
  return rows ?? [];
}

export async function countEvents(db: Db, view: AuditView, filters: AuditFilters): Promise<number> {
  let total = 0;
  for (const part of await partsInOrder(db, view, filters, 'desc')) total += await countOf(part);
  return total;
}

/** Newest first. `beforeId` is the keyset cursor; `offset` serves page/per_page. */
export async function listEvents(
  db: Db,
  view: AuditView,
  filters: AuditFilters,
  page: { limit: number; offset?: number; beforeId?: number },
): Promise<AuditEvent[]> {
  const before = page.beforeId;
  const parts = (await partsInOrder(db, view, filters, 'desc')).map((part) => (before === undefined ? part : part.where('id', '<', before)));
  const rows = await selectInOrder(parts, 'desc', page);
  return rows.map(toRecord);
}

/** One event as stored: the record's JSON text and its leaf hash (exports read these, oldest first). */
export interface StoredEvent {
  id: number;
  record: string;
  leaf_hash: string | null;
}

/** Oldest first (ascending id, which is seq), unparsed. `afterId` is the keyset cursor. */
export async function listStoredEventsOldestFirst(
  db: Db,
  view: AuditView,
  filters: AuditFilters,
  page: { limit: number; afterId: number },
): Promise<StoredEvent[]> {
  const parts = (await partsInOrder(db, view, filters, 'asc')).map((part) => part.where('id', '>', page.afterId));
  return selectInOrder(parts, 'asc', page);
}

/** The stored record plus its leaf hash: the event as the API serves it. */
export function toRecord(row: { record: string; leaf_hash: string | null }): AuditEvent {
  const record: AuditRecord = JSON.parse(row.record);
  return { ...record, leaf_hash: row.leaf_hash };
}

export async function findEvent(db: Db, view: AuditView, filters: AuditFilters, id: number): Promise<AuditEvent | undefined> {
  const row = await filteredEvents(db, view, filters).select(['record', 'leaf_hash']).where('id', '=', id).executeTakeFirst();
  return row ? toRecord(row) : undefined;
}
