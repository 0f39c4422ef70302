import { randomBytes } from 'node:crypto';
import pg from 'pg';

// The suite runs once per backend (scripts/test.sh): SQLite by default, PostgreSQL when
// TROVE_TEST_POSTGRES_URL names a server, where every Trove a test starts gets a fresh database.

export const TEST_POSTGRES_URL = process.env.TROVE_TEST_POSTGRES_URL || undefined;
export const TEST_BACKEND: 'sqlite' | 'postgres' = TEST_POSTGRES_URL ? 'postgres' : 'sqlite';

/** A new, empty PostgreSQL database for one Trove (undefined on the SQLite run). */
export async function freshDatabaseUrl(): Promise<string | undefined> {
  if (!TEST_POSTGRES_URL) return undefined;
  const name = `trove_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return url.toString();
}
