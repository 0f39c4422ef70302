import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDatabase, type SqliteDialectConfig, type SqliteStatement } from 'kysely';

// Kysely opens SQLite transactions with a plain (deferred) `begin`. A deferred transaction that
// reads first and writes later (every audit append reads max(seq) before its insert) cannot wait
// for the write lock when another process (the `trove` CLI, a second server on the same file)
// committed in between: SQLite answers SQLITE_BUSY at once instead of honouring busy_timeout.
// `begin immediate` takes the write lock up front, so a concurrent writer waits (busy_timeout)
// rather than failing.

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

// Kysely prepares every query anew (better-sqlite3's prepare parses and plans the SQL each time):
// on a packument or tarball GET, which run a handful of small queries, preparing cost as much as
// running them (the benchmark's CPU profile). Kysely compiles the same SQL text for the same query
// shape, so statements are kept by text. A statement is used by one query at a time: Kysely hands
// its single SQLite connection to one query (or stream) at a time. Bounded: queries with `in (...)`
// lists of varying length make many texts.
const MAX_CACHED_STATEMENTS = 500;

export function cachingStatements(database: SqliteDatabase): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      let statement = statements.get(sql);
      if (!statement) {
        if (statements.size >= MAX_CACHED_STATEMENTS) statements.clear();
        statement = database.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}
