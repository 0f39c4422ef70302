import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely';

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
