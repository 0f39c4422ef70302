// The period of the report page, as whole UTC days [from, to): the URL holds the API's own values
// (from=2026-07-01&to=2026-10-01), so a report can be shared by its address.
//
// Default: the last 30 days, today included. The page is opened from an audit log to see what has
// just happened, so it must show recent events at once, also on a new instance; the quarter an
// auditor asks for ("Q3") is one click away (lastFullQuarter).

const DAY = 86_400_000;

/** "2026-07-01": the UTC date of a time. */
export const utcDate = (time: number) => new Date(time).toISOString().slice(0, 10);

const startOfUtcDay = (time: number) => Math.floor(time / DAY) * DAY;

export interface DayPeriod {
  from: string;
  to: string;
}

export function last30Days(now = Date.now()): DayPeriod {
  const tomorrow = startOfUtcDay(now) + DAY;
  return { from: utcDate(tomorrow - 30 * DAY), to: utcDate(tomorrow) };
}

/** The last calendar quarter that has ended, e.g. 2026-07-01 to 2026-10-01 in November. */
export function lastFullQuarter(now = Date.now()): DayPeriod {
  const today = new Date(now);
  const quarterStartMonth = Math.floor(today.getUTCMonth() / 3) * 3;
  const end = Date.UTC(today.getUTCFullYear(), quarterStartMonth, 1);
  const start = Date.UTC(today.getUTCFullYear(), quarterStartMonth - 3, 1);
  return { from: utcDate(start), to: utcDate(end) };
}

/** The period of the URL, or the default. */
export function periodFromUrl(query: URLSearchParams): DayPeriod {
  const from = query.get('from');
  const to = query.get('to');
  return from && to ? { from, to } : last30Days();
}
