import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import pg from 'pg';
import { KEEP_TEMP, onProcessEnd } from './temp-dir.js';

// The suite runs once per backend (scripts/test.sh): SQLite by default, PostgreSQL when
// TROVE_TEST_POSTGRES_URL names a server, where every Trove a test starts gets a fresh database.
// Test databases are named `<prefix><pid>_<hex>` after the process that made them, which drops
// them when it ends; scripts/test.sh drops those of processes that were killed before they could
// (test/support/drop-test-databases.ts).

export const TEST_POSTGRES_URL = process.env.TROVE_TEST_POSTGRES_URL || undefined;
export const TEST_BACKEND: 'sqlite' | 'postgres' = TEST_POSTGRES_URL ? 'postgres' : 'sqlite';

/** Name prefixes of test databases: fresh ones, and copies (audit-verify-data.ts). */
export const TEST_DATABASE_PREFIXES = ['trove_t_', 'trove_copy_'] as const;

let dropAtEnd = false;

/** A name for a new test database of this process, dropped when the process ends. */
export function testDatabaseName(prefix: (typeof TEST_DATABASE_PREFIXES)[number]): string {
  if (!dropAtEnd) {
    dropAtEnd = true;
    onProcessEnd(dropOwnDatabases);
  }
  return `${prefix}${process.pid}_${randomBytes(4).toString('hex')}`;
}

function dropOwnDatabases(): void {
  if (KEEP_TEMP) return;
  // The event loop is gone at exit: the drop runs in a child process, waited for synchronously.
  const root = resolve(import.meta.dirname, '../..');
  spawnSync(process.execPath, ['--import', 'tsx', 'test/support/drop-test-databases.ts', '--pid', String(process.pid)], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 60_000,
  });
}

/** A new, empty PostgreSQL database for one Trove (undefined on the SQLite run). */
export async function freshDatabaseUrl(): Promise<string | undefined> {
  return TEST_POSTGRES_URL ? freshDatabaseOn(TEST_POSTGRES_URL) : undefined;
}

/** A new, empty database of this process on the PostgreSQL server `serverUrl` names, dropped when the process ends (with TROVE_TEST_POSTGRES_URL naming that server then). */
export async function freshDatabaseOn(serverUrl: string): Promise<string> {
  const name = testDatabaseName('trove_t_');
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
