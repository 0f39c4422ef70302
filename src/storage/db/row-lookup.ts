import { CompiledQuery, type Compilable, type Insertable, type Selectable } from 'kysely';
import type { Queryable } from './database.js';
import { isPostgres } from './dialect-types.js';
import type { Database } from './schema.js';

// The single-row lookups every request makes (its token, user, project, namespace, membership),
// and the audit event inserts and other fixed queries of every write, compiled to SQL once and then run with new values
// only. Kysely builds each query as an immutable tree (every .where() clones and freezes it) and
// compiles the tree on every call: for these lookups that cost the server more CPU than SQLite's
// answer did (the benchmark's CPU profile of packument and tarball GETs: the builder's
// visit/freeze/clone functions against executeQuery).

type Table = keyof Database & string;
type Conditions<T extends Table> = Partial<Record<keyof Database[T] & string, string | number>>;

/**
 * SQL text by dialect and query shape: a handful of lookups and fixed queries, and one insert per
 * row count of the audit batches (at most 200).
 */
const compiledSql = new Map<string, string>();

/**
 * The SQL text of one query shape, compiled by Kysely the first time (quoting, placeholders of
 * the dialect); the values `compile` uses are placeholders only, bound again on every run.
 */
function compiledOnce(db: Queryable, shape: string, compile: () => string): string {
  const key = `${isPostgres(db) ? 'postgres' : 'sqlite'} ${shape}`;
  let text = compiledSql.get(key);
  if (text === undefined) {
    text = compile();
    compiledSql.set(key, text);
  }
  return text;
}

function sqlFor<T extends Table>(db: Queryable, table: T, columns: string[]): string {
  return compiledOnce(db, `${table} ${columns.join(',')}`, () => {
    let query = db.selectFrom(table as 'users').selectAll();
    for (const column of columns) query = query.where(column as 'id', '=', 0);
    return query.compile().sql;
  });
}

/** `select * from <table> where <column> = <value> [and ...]`: the first row, or undefined. */
export async function findRow<T extends Table>(db: Queryable, table: T, where: Conditions<T>): Promise<Selectable<Database[T]> | undefined> {
  const columns = Object.keys(where);
  const values = columns.map((column) => where[column as keyof Conditions<T>]);
  const result = await db.executeQuery<Selectable<Database[T]>>(CompiledQuery.raw(sqlFor(db, table, columns), values));
  return result.rows[0];
}

/** findRow for a row that must exist (a foreign key points at it). */
export async function getRow<T extends Table>(db: Queryable, table: T, where: Conditions<T>): Promise<Selectable<Database[T]>> {
  const row = await findRow(db, table, where);
  if (!row) throw new Error(`no ${table} row where ${JSON.stringify(where)}`);
  return row;
}

/**
 * `insert into <table> (<columns of the first row>) values (...), (...)`: every row must have the
 * same columns in the same order. Compiled once per table, columns and row count.
 */
export async function insertRows<T extends Table>(db: Queryable, table: T, rows: Insertable<Database[T]>[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const text = compiledOnce(db, `insert ${table} ${columns.join(',')} x${rows.length}`, () => {
    const placeholders = rows.map(() => Object.fromEntries(columns.map((column) => [column, 0])));
    return db.insertInto(table as 'users').values(placeholders as never).compile().sql;
  });
  const values = rows.flatMap((row) => columns.map((column) => (row as Record<string, unknown>)[column]));
  await db.executeQuery(CompiledQuery.raw(text, values));
}

/**
 * Any query of a fixed shape run with new values: `build` makes it once with placeholder values,
 * and must bind exactly the parameters `values` gives, in that order (checked on the first run).
 * For the few other queries every package write makes (its audit seq, its streaming destinations).
 */
export async function selectFixedShape<R>(db: Queryable, shape: string, build: () => Compilable<R>, values: readonly unknown[]): Promise<R[]> {
  const text = compiledOnce(db, shape, () => {
    const compiled = build().compile();
    if (compiled.parameters.length !== values.length) throw new Error(`${shape}: binds ${compiled.parameters.length} values, given ${values.length}`);
    return compiled.sql;
  });
  return (await db.executeQuery<R>(CompiledQuery.raw(text, [...values]))).rows;
}
