import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, type Transaction } from 'kysely';
import type pg from 'pg';
import type { Database } from './schema.js';
import { cachingStatements, ImmediateSqliteDialect } from './sqlite-dialect.js';
import { preparingPool } from './prepared-statements.js';
import * as m001 from './migrations/001-initial.js';
import * as m002 from './migrations/002-package-file-metadata.js';
import * as m003 from './migrations/003-append-only-and-jobs.js';
import * as m004 from './migrations/004-audit-checkpoints.js';
import * as m005 from './migrations/005-package-cleanup-policies.js';
import * as m006 from './migrations/006-download-events-index.js';
import * as m007 from './migrations/007-audit-streaming.js';
import * as m008 from './migrations/008-web-sessions.js';
import * as m009 from './migrations/009-sign-in-failures.js';
import * as m010 from './migrations/010-audit-package-index.js';
import * as m011 from './migrations/011-blob-contents.js';
import * as m012 from './migrations/012-audit-deferred-indexes.js';
import * as m013 from './migrations/013-blob-gc.js';
import * as m014 from './migrations/014-case-insensitive-names.js';
import * as m015 from './migrations/015-audit-integrity-alarms.js';
import * as m016 from './migrations/016-authentication-failure-windows.js';
import * as m017 from './migrations/017-member-expiry.js';
import * as m019 from './migrations/019-audit-author-indexes.js';
import * as m020 from './migrations/020-format-settings.js';
import * as m021 from './migrations/021-format-setting-text-values.js';
import * as m022 from './migrations/022-package-protection-rules.js';
import * as m023 from './migrations/023-package-legal-holds.js';
import * as m024 from './migrations/024-soft-deleted-versions.js';
import * as m025 from './migrations/025-container-registry.js';
import * as m026 from './migrations/026-container-registry-governance.js';
import * as m027 from './migrations/027-oidc-used-jtis.js';
import * as m028 from './migrations/028-trusted-publishers.js';
import * as m029 from './migrations/029-oidc-tokens.js';
import * as m030 from './migrations/030-package-file-provenance.js';
import * as m031 from './migrations/031-registry-token-key-out-of-database.js';
import * as m032 from './migrations/032-debian-distributions.js';
import * as m033 from './migrations/033-debian-group-distributions.js';
import * as m034 from './migrations/034-audit-sequenced-at-commit.js';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Either the database or an open transaction: read helpers accept both. */
export type Queryable = Kysely<Database>;

export interface DatabaseOptions {
  /** The embedded default. */
  sqliteFile: string;
  /** postgres://... selects PostgreSQL instead. */
  postgresUrl?: string;
}

/**
 * Opens the database: PostgreSQL when a URL is given, else the embedded SQLite file (WAL,
 * synchronous=FULL so that committed audit events survive power loss).
 */
export function openDatabase(options: DatabaseOptions): Db {
  if (options.postgresUrl) return openPostgres(options.postgresUrl);
  mkdirSync(dirname(options.sqliteFile), { recursive: true });
  const sqlite = new SQLite(options.sqliteFile);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: cachingStatements(sqlite) }) });
}

const INT8_OID = 20;
let pgModule: typeof pg | undefined;

/** The pg driver, loaded on first use: an embedded (SQLite) Trove does without its memory. */
function loadPg(): typeof pg {
  if (!pgModule) {
    pgModule = createRequire(import.meta.url)('pg') as typeof pg;
    // int8 (sizes, seq, count(*)) comes back from pg as a string by default; every value Trove
    // keeps in an int8 fits a JavaScript number exactly (< 2^53), so parse it as one.
    pgModule.types.setTypeParser(INT8_OID, (value: string) => Number(value));
  }
  return pgModule;
}

function openPostgres(url: string): Db {
  // An idle connection is kept for five minutes (pg's default is ten seconds): a new one costs a
  // PostgreSQL backend's start-up and preparing every statement again (prepared-statements.ts),
  // which a burst of requests after a pause of a few seconds paid over and over.
  const pool = new (loadPg().Pool)({ connectionString: url, max: 10, idleTimeoutMillis: 300_000 });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }) });
}

const migrations = {
  '001-initial': m001,
  '002-package-file-metadata': m002,
  '003-append-only-and-jobs': m003,
  '004-audit-checkpoints': m004,
  '005-package-cleanup-policies': m005,
  '006-download-events-index': m006,
  '007-audit-streaming': m007,
  '008-web-sessions': m008,
  '009-sign-in-failures': m009,
  '010-audit-package-index': m010,
  '011-blob-contents': m011,
  '012-audit-deferred-indexes': m012,
  '013-blob-gc': m013,
  '014-case-insensitive-names': m014,
  '015-audit-integrity-alarms': m015,
  '016-authentication-failure-windows': m016,
  '017-member-expiry': m017,
  '019-audit-author-indexes': m019,
  '020-format-settings': m020,
  '021-format-setting-text-values': m021,
  '022-package-protection-rules': m022,
  '023-package-legal-holds': m023,
  '024-soft-deleted-versions': m024,
  '025-container-registry': m025,
  '026-container-registry-governance': m026,
  '027-oidc-used-jtis': m027,
  '028-trusted-publishers': m028,
  '029-oidc-tokens': m029,
  '030-package-file-provenance': m030,
  '031-registry-token-key-out-of-database': m031,
  '032-debian-distributions': m032,
  '033-debian-group-distributions': m033,
  '034-audit-sequenced-at-commit': m034,
};

function migrator(db: Db): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  const { error, results } = await migrator(db).migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Runs the migrations that come before `name` (tests build a database as an older Trove left it). */
export async function migrateBefore(db: Db, name: keyof typeof migrations): Promise<void> {
  const names = Object.keys(migrations);
  const at = names.indexOf(name);
  if (at < 1) throw new Error(`no migration before ${name}`);
  const { error } = await migrator(db).migrateTo(names[at - 1]);
  if (error) throw error;
}
