import type BetterSqlite3 from 'better-sqlite3';

type Statement = BetterSqlite3.Statement<unknown[]>;

/** What a statement returned, in the shape Kysely's QueryResult takes. */
export interface StatementResult {
  rows: unknown[];
  numAffectedRows?: bigint;
  insertId?: bigint;
}

// Kysely prepares every query anew (better-sqlite3's prepare parses and plans the SQL each time):
// on a packument or tarball GET, which run a handful of small queries, preparing cost as much as
// running them (the benchmark's CPU profile). Kysely compiles the same SQL text for the same query
// shape, so statements are kept by text, per connection. Bounded: queries with `in (...)` lists
// of varying length make many texts.
const MAX_CACHED_STATEMENTS = 500;

/** One SQLite connection and its prepared statements. */
export class StatementCache {
  readonly #statements = new Map<string, Statement>();
  constructor(readonly file: BetterSqlite3.Database) {}

  prepare(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      if (this.#statements.size >= MAX_CACHED_STATEMENTS) this.#statements.clear();
      statement = this.file.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  run(sql: string, parameters: readonly unknown[]): StatementResult {
    const statement = this.prepare(sql);
    if (statement.reader) return { rows: statement.all(parameters as unknown[]) };
    const { changes, lastInsertRowid } = statement.run(parameters as unknown[]);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }
}
