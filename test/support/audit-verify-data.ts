import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { TEST_BACKEND, TEST_POSTGRES_URL, testDatabaseName } from './test-database.js';
import type { Api } from './api.js';
import { REPO_ROOT, tempDir } from './trove-process.js';

// For the `trove audit verify` end-to-end tests: copies of a stopped Trove's data (database and
// audit key folder) to tamper with directly, as someone with access to the database would, and
// the CLI run against them.

/** Where a Trove keeps its state: the data folder, and its PostgreSQL database on that run. */
export interface TroveData {
  dataDir: string;
  databaseUrl: string | undefined;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment that points the CLI at `data` (and nowhere else). */
export function cliEnv(data: TroveData): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TROVE_DATA_DIR: data.dataDir, TROVE_LOG_LEVEL: 'warn' };
  delete env.TROVE_DATABASE_URL;
  delete env.TROVE_AUDIT_KEY_DIR;
  delete env.TROVE_AUDIT_TRUSTED_KEYS;
  if (data.databaseUrl) env.TROVE_DATABASE_URL = data.databaseUrl;
  return env;
}

/** `node --import tsx src/cli/trove.ts ...args` against `data` (with `env` added). */
export function runTroveCli(args: string[], data: TroveData, env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/trove.ts', ...args], { cwd: REPO_ROOT, env: { ...cliEnv(data), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Direct SQL on a copy; `?` placeholders on both backends. */
export interface TamperDb {
  run(statement: string, params?: unknown[]): Promise<void>;
  rows<T = Record<string, unknown>>(statement: string, params?: unknown[]): Promise<T[]>;
  /** Drops the append-only triggers of audit_events (and, with checkpoints, of audit_checkpoints). */
  dropAppendOnlyTriggers(options?: { checkpoints?: boolean }): Promise<void>;
  close(): Promise<void>;
}

async function adminQuery(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

/**
 * A fresh copy of a STOPPED Trove's data: SQLite copies the database file, PostgreSQL makes
 * `CREATE DATABASE copy TEMPLATE original` (no connection to the original may be open). Both go
 * when this process ends.
 */
export async function copyTroveData(source: TroveData): Promise<TroveData> {
  const dataDir = join(tempDir('trove-verify-copy-'), 'data');
  mkdirSync(dataDir, { recursive: true });
  cpSync(join(source.dataDir, 'audit-keys'), join(dataDir, 'audit-keys'), { recursive: true });
  if (TEST_BACKEND === 'postgres') {
    const url = new URL(source.databaseUrl!);
    const name = testDatabaseName('trove_copy_');
    // A client that just disconnected may linger for a moment as a backend: retry while it does.
    for (let attempt = 0; ; attempt++) {
      try {
        await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${databaseName(source.databaseUrl!)}`);
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== '55006' || attempt >= 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    url.pathname = `/${name}`;
    return { dataDir, databaseUrl: url.toString() };
  }
  for (const suffix of ['', '-wal', '-shm']) {
    const file = join(source.dataDir, `trove.db${suffix}`);
    if (existsSync(file)) copyFileSync(file, join(dataDir, `trove.db${suffix}`));
  }
  return { dataDir, databaseUrl: undefined };
}

export async function openTamperDb(data: TroveData): Promise<TamperDb> {
  if (data.databaseUrl) {
    const client = new pg.Client({ connectionString: data.databaseUrl });
    await client.connect();
    const numbered = (statement: string) => {
      let n = 0;
      return statement.replace(/\?/g, () => `$${++n}`);
    };
    return {
      run: async (statement, params = []) => void (await client.query(numbered(statement), params)),
      rows: async <T>(statement: string, params: unknown[] = []) => (await client.query(numbered(statement), params)).rows as T[],
      dropAppendOnlyTriggers: async (options = {}) => {
        await client.query('DROP TRIGGER audit_events_append_only ON audit_events');
        if (options.checkpoints) await client.query('DROP TRIGGER audit_checkpoints_append_only ON audit_checkpoints');
      },
      close: () => client.end(),
    };
  }
  const db = new Database(join(data.dataDir, 'trove.db'));
  return {
    run: async (statement, params = []) => void db.prepare(statement).run(...params),
    rows: async <T>(statement: string, params: unknown[] = []) => db.prepare(statement).all(...params) as T[],
    dropAppendOnlyTriggers: async (options = {}) => {
      for (const trigger of ['audit_events_no_content_update', 'audit_events_leaf_hash_once', 'audit_events_no_delete', 'audit_events_indexed_once']) db.exec(`DROP TRIGGER ${trigger}`);
      if (options.checkpoints) for (const trigger of ['audit_checkpoints_no_update', 'audit_checkpoints_no_delete']) db.exec(`DROP TRIGGER ${trigger}`);
    },
    close: async () => void db.close(),
  };
}

/** A fresh copy of `data`, tampered with by `tamper` (the append-only triggers dropped first). */
export async function tamperedCopyOf(data: TroveData, tamper: (db: TamperDb) => Promise<void>, options: { checkpoints?: boolean } = {}): Promise<TroveData> {
  const copy = await copyTroveData(data);
  const db = await openTamperDb(copy);
  try {
    await db.dropAppendOnlyTriggers(options);
    await tamper(db);
  } finally {
    await db.close();
  }
  return copy;
}

/** Waits until the latest checkpoint seals the head of the log; returns its tree size. */
export async function waitUntilSealed(api: Api): Promise<number> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const head = await api.get('/api/v4/audit_events?per_page=1');
    assert.equal(head.status, 200, head.text);
    const seq = Number(head.body[0]?.seq ?? 0);
    const checkpoint = await api.get('/api/v4/audit_events/checkpoint');
    assert.equal(checkpoint.status, 200, checkpoint.text);
    if (seq > 0 && checkpoint.body.tree_size === seq) return seq;
    if (Date.now() > deadline) throw new Error(`log not sealed in time: head ${seq}, checkpoint ${checkpoint.body.tree_size}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** `trove audit verify` passed. */
export function expectOk(result: CliResult): void {
  assert.equal(result.code, 0, `verify should pass:\n${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /^audit log verified/);
}

/** `trove audit verify` failed, naming `seq` as the first bad one for `reason`. */
export function expectBad(result: CliResult, seq: number, reason: RegExp): void {
  assert.equal(result.code, 1, `verify should fail:\n${result.stdout}\n${result.stderr}`);
  const match = /^first bad seq (\d+): (.*)$/m.exec(result.stdout);
  assert.ok(match, `no "first bad seq" line in:\n${result.stdout}\n${result.stderr}`);
  assert.equal(Number(match[1]), seq, result.stdout);
  assert.match(match[2], reason);
}
