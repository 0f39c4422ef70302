import { sql, type RawBuilder } from 'kysely';

// LIKE patterns that mean what they say on SQLite and PostgreSQL alike: '%' and '_' in user
// text are escaped (both engines honour ESCAPE '\' only when told), and case is folded with
// lower() because SQLite's LIKE ignores ASCII case while PostgreSQL's does not.

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** `column` contains `text`, ignoring case. */
export function containsIgnoringCase(column: string, text: string): RawBuilder<boolean> {
  return sql<boolean>`lower(${sql.ref(column)}) like ${`%${escapeLike(text.toLowerCase())}%`} escape '\\'`;
}

/** `column` starts with `prefix` (case-sensitive, for paths). */
export function startsWith(column: string, prefix: string): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(column)} like ${`${escapeLike(prefix)}%`} escape '\\'`;
}

/**
 * `column` equals `text` ignoring (ASCII) case: matches the lower() unique indexes of usernames
 * and full paths (migration 014), which the lookup then uses.
 */
export function equalsIgnoringCase(column: string, text: string): RawBuilder<boolean> {
  return sql<boolean>`lower(${sql.ref(column)}) = ${text.toLowerCase()}`;
}
