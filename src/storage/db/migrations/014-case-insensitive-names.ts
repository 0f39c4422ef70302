import { sql, type Kysely } from 'kysely';

/**
 * Usernames and group/project paths are unique regardless of case (docs/architecture.md#bad-input-and-limits): `ALICE` next to
 * `alice` reads as the same account or group to a person, in the audit log above all. Full paths
 * carry the parent's path, so a path is unique within its parent namespace (as in GitLab).
 * The same expression index on both databases (ASCII only: paths and usernames are ASCII).
 *
 * A database made before this rule may hold such pairs. They are not renamed behind the
 * operator's back: the migration stops and names them, so that one of each can be renamed
 * first; nothing has changed when it stops.
 */
const UNIQUE_LOWER = [
  { index: 'users_username_lower', table: 'users', column: 'username' },
  { index: 'namespaces_full_path_lower', table: 'namespaces', column: 'full_path' },
  { index: 'projects_full_path_lower', table: 'projects', column: 'full_path' },
] as const;

async function caseDuplicates(db: Kysely<any>, table: string, column: string): Promise<string[]> {
  const value = sql.ref(column);
  const { rows } = await sql<{ value: string }>`
    select ${value} as value from ${sql.table(table)}
    where lower(${value}) in (select lower(${value}) from ${sql.table(table)} group by lower(${value}) having count(*) > 1)
    order by lower(${value}), ${value}`.execute(db);
  return rows.map((r) => r.value);
}

export async function up(db: Kysely<any>): Promise<void> {
  const clashes: string[] = [];
  for (const { table, column } of UNIQUE_LOWER) {
    const names = await caseDuplicates(db, table, column);
    if (names.length > 0) clashes.push(`${table}.${column}: ${names.join(', ')}`);
  }
  if (clashes.length > 0) {
    throw new Error(
      `migration 014 (names unique regardless of case) stopped: these differ only by case (${clashes.join('; ')}). ` +
        'Rename all but one of each in the database, then start Trove again; nothing was changed.',
    );
  }
  for (const { index, table, column } of UNIQUE_LOWER) {
    await db.schema.createIndex(index).on(table).unique().expression(sql`lower(${sql.ref(column)})`).execute();
  }
}
