import type { ExpressionBuilder } from 'kysely';
import type { Database } from '../../storage/db/schema.js';
import { errors } from '../errors.js';

// GitLab's member expiry: a date `YYYY-MM-DD`; the membership counts through that day (UTC) and
// grants nothing from the next day on. Dates compare as text in this format.

export function todayUtc(now = Date.now()): string {
  return new Date(now).toISOString().slice(0, 10);
}

/** `expires_at` of a member request: undefined when not given, null to clear it, else a date not in the past. */
export function parseMemberExpiry(value: string | null | undefined): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null || value === '') return null;
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw errors.badRequest('expires_at is invalid: use YYYY-MM-DD');
  }
  if (value < todayUtc()) throw errors.badRequest('expires_at cannot be a date in the past');
  return value;
}

/** SQL condition: the membership row has not expired by `today` (YYYY-MM-DD). */
export function activeMembershipOn(today: string) {
  return (eb: ExpressionBuilder<Database, 'members'>) => eb.or([eb('members.expires_at', 'is', null), eb('members.expires_at', '>=', today)]);
}

/** SQL condition: the membership row has not expired. */
export function activeMembership(eb: ExpressionBuilder<Database, 'members'>) {
  return activeMembershipOn(todayUtc())(eb);
}
