import { errors } from '../../errors.js';

// A report's period [from, to): from included, to excluded, so that consecutive periods (one
// quarter, the next) share no event. Dates alone mean midnight UTC.

export interface ReportPeriod {
  from: string;
  to: string;
}

function instant(value: string | undefined, name: string): number {
  if (value === undefined || value === '') throw errors.badRequest(`${name} is missing`);
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw errors.badRequest(`${name} is invalid`);
  return time;
}

export function parseReportPeriod(from: string | undefined, to: string | undefined): ReportPeriod {
  const start = instant(from, 'from');
  const end = instant(to, 'to');
  if (start >= end) throw errors.badRequest('from must be before to');
  return { from: new Date(start).toISOString(), to: new Date(end).toISOString() };
}

/** The last instant inside the period: the audit filters' created_before is inclusive, and times are stored to the millisecond. */
export function lastInstantOf(period: ReportPeriod): string {
  return new Date(Date.parse(period.to) - 1).toISOString();
}
