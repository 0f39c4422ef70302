import { PostgresAdapter, type ColumnDefinitionBuilder, type ColumnDataType, type Kysely } from 'kysely';

// The few places where SQLite and PostgreSQL DDL differ, so migrations stay dialect-free.

export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Type of an auto-incrementing primary key column. */
export function autoIdType(db: Kysely<any>): ColumnDataType {
  return isPostgres(db) ? 'serial' : 'integer';
}

/**
 * Primary key modifier. SQLite needs AUTOINCREMENT so that ids of deleted rows are never
 * reused: an audit event that names package 17 must not later point at another package.
 */
export function autoIdColumn(db: Kysely<any>) {
  const postgres = isPostgres(db);
  return (c: ColumnDefinitionBuilder) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement());
}
