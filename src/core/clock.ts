/** Current time as the ISO-8601 UTC string stored in every timestamp column. */
export function nowIso(): string {
  return new Date().toISOString();
}
