import { sql } from 'kysely';
import { ACTIVITY_KINDS, activityKindOf, type ActivityKind } from '../../contracts/activity-kinds.js';
import type { AuditActivity, ActivityDay } from '../../contracts/audit-activity.js';
import type { Db } from '../../storage/db/database.js';
import { errors } from '../errors.js';
import { partsInOrder, type AuditFilters, type AuditView } from './audit-query.js';

// The audit pages' activity chart (docs/api.md#audit-activity): a view's events per UTC day and
// activity kind, with exactly the filters and visibility of the events list (the same view,
// filters and parts of audit-query.ts). One statement: each part (SQLite: the indexed events and
// the few after the indexer's mark) is grouped by day and event name, the parts are added up
// with UNION ALL, and the names are folded into kinds here (activity-kinds.ts). created_at is the
// same ISO-8601 UTC text on SQLite and PostgreSQL, so its first ten characters are the UTC day on both.

const DAY_MS = 86_400_000;
/** The longest period asked for at once: a year and a bit, one bar a day. */
export const MAX_ACTIVITY_DAYS = 400;
/** The period when none is given: the last 30 days, today included. */
const DEFAULT_DAYS = 30;

export interface ActivityPeriod {
  from: string;
  to: string;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** from/to as ISO times: a date alone is the start (from) or the end (to) of that UTC day; defaults to the last 30 days. */
export function activityPeriod(from: string | undefined, to: string | undefined, now = new Date()): ActivityPeriod {
  const end = to ? instant(to, 'end') : now.getTime();
  const start = from ? instant(from, 'start') : Date.parse(dayOf(end - (DEFAULT_DAYS - 1) * DAY_MS));
  if (start > end) throw errors.badRequest('from must not be after to');
  if (daysBetween(start, end).length > MAX_ACTIVITY_DAYS) throw errors.badRequest(`the period may span at most ${MAX_ACTIVITY_DAYS} days`);
  return { from: new Date(start).toISOString(), to: new Date(end).toISOString() };
}

function instant(value: string, edge: 'start' | 'end'): number {
  const time = DATE_ONLY.test(value) ? Date.parse(`${value}T00:00:00.000Z`) + (edge === 'end' ? DAY_MS - 1 : 0) : Date.parse(value);
  if (Number.isNaN(time)) throw errors.badRequest(`${edge === 'start' ? 'from' : 'to'} is invalid`);
  return time;
}

const dayOf = (time: number) => new Date(time).toISOString().slice(0, 10);

function daysBetween(start: number, end: number): string[] {
  const days: string[] = [];
  for (let day = Date.parse(dayOf(start)); day <= end; day += DAY_MS) days.push(dayOf(day));
  return days;
}

const zeroCounts = () => Object.fromEntries(ACTIVITY_KINDS.map((kind) => [kind, 0])) as Record<ActivityKind, number>;

/** The view's events in `period` (and `filters`) per UTC day and kind, every day of the period listed. */
export async function activityPerDay(db: Db, view: AuditView, filters: AuditFilters, period: ActivityPeriod): Promise<AuditActivity> {
  const inPeriod = { ...filters, createdAfter: period.from, createdBefore: period.to };
  const day = sql<string>`substr(created_at, 1, 10)`;
  const grouped = (await partsInOrder(db, view, inPeriod, 'asc')).map((part) =>
    part.select((eb) => [day.as('day'), 'event_name', eb.fn.countAll<number>().as('n')]).groupBy([day, 'event_name']),
  );
  const all = grouped.reduce((union, part) => union.unionAll(part));
  const rows = await db
    .selectFrom(all.as('parts'))
    .select((eb) => ['parts.day', 'parts.event_name', eb.fn.sum<number>('parts.n').as('n')])
    .groupBy(['parts.day', 'parts.event_name'])
    .execute();
  const days = new Map<string, ActivityDay>(
    daysBetween(Date.parse(period.from), Date.parse(period.to)).map((d) => [d, { day: d, total: 0, counts: zeroCounts() }]),
  );
  for (const row of rows) {
    const entry = days.get(String(row.day));
    if (!entry) continue; // cannot happen: the period bounds the days
    const n = Number(row.n);
    entry.counts[activityKindOf(String(row.event_name))] += n;
    entry.total += n;
  }
  return { from: period.from, to: period.to, kinds: [...ACTIVITY_KINDS], days: [...days.values()] };
}
