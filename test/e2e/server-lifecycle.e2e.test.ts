import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { verifyPassword } from '../../src/core/accounts/passwords.js';
import { Api, privateToken } from '../support/api.js';
import { CLI_ACTOR_NAME, latestEvent } from '../support/audit.js';
import { freshDatabaseUrl, TEST_BACKEND } from '../support/test-database.js';
import { freePort, REPO_ROOT, startTrove, tempDir } from '../support/trove-process.js';

// The newcomer experience: the first start prints root's token once and says where it listens,
// later starts do not, SIGTERM stops cleanly, bad configuration fails loudly, and the CLI
// creates users and tokens (audited with a system actor) that the server then accepts.

const DIST = process.env.TROVE_TEST_DIST ?? 'dist';

/** The environment without any TROVE_* variable of the machine running the tests. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('TROVE_')) env[name] = value;
  return { ...env, ...extra };
}

interface Spawned {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/**
 * Runs dist/main.js, or dist/server.mjs (the same server bundled into one file, what `npm start`
 * runs). startTrove() always sets TROVE_ROOT_TOKEN (an empty one is a configuration error), so the
 * first-start path with a generated token needs its own spawn.
 */
type Entry = 'main.js' | 'server.mjs';
function spawnTrove(env: Record<string, string>, entry: Entry = 'main.js'): Spawned {
  const child = spawn(process.execPath, [join(REPO_ROOT, DIST, entry)], { cwd: REPO_ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Starts Trove on a fresh port with the data folder given; resolves once /-/health answers. */
async function startOn(dataDir: string, extra: Record<string, string> = {}, entry: Entry = 'main.js'): Promise<Spawned & { baseUrl: string; port: number }> {
  const port = await freePort();
  const spawned = spawnTrove({ TROVE_HOST: '127.0.0.1', TROVE_PORT: String(port), TROVE_DATA_DIR: dataDir, TROVE_LOG_LEVEL: 'info', ...extra }, entry);
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (spawned.child.exitCode !== null) throw new Error(`trove exited with ${spawned.child.exitCode}:\n${spawned.stdout()}\n${spawned.stderr()}`);
    const ok = await fetch(`${baseUrl}/-/health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      spawned.child.kill('SIGKILL');
      throw new Error(`trove did not start in time:\n${spawned.stdout()}\n${spawned.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { ...spawned, baseUrl, port };
}

async function sigterm(spawned: Spawned): Promise<number | null> {
  if (spawned.child.exitCode !== null) return spawned.child.exitCode;
  spawned.child.kill('SIGTERM');
  return spawned.exited;
}

const TOKEN_PATTERN = /glpat-[A-Za-z0-9_-]{20,}/g;

/**
 * The database of this test run for a Trove of its own: a fresh PostgreSQL database on the
 * PostgreSQL run (TROVE_DATABASE_URL, which cleanEnv() would otherwise drop), nothing on SQLite
 * (the embedded trove.db of the data folder).
 */
async function databaseEnv(): Promise<Record<string, string>> {
  const url = await freshDatabaseUrl();
  return url ? { TROVE_DATABASE_URL: url } : {};
}

/** A query on the PostgreSQL database named by databaseEnv(). */
async function queryPostgres<R extends pg.QueryResultRow>(url: string, text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** The stored password hash of a user, read from the database of the run (not through Trove). */
async function storedPasswordHash(dataDir: string, dbEnv: Record<string, string>, username: string): Promise<string | null> {
  if (dbEnv.TROVE_DATABASE_URL) {
    const rows = await queryPostgres<{ password_hash: string | null }>(dbEnv.TROVE_DATABASE_URL, 'SELECT password_hash FROM users WHERE username = $1', [username]);
    assert.equal(rows.length, 1, `no user ${username} in PostgreSQL`);
    return rows[0]!.password_hash;
  }
  const db = new Database(join(dataDir, 'trove.db'), { readonly: true });
  try {
    const row = db.prepare('SELECT password_hash FROM users WHERE username = ?').get(username) as { password_hash: string | null } | undefined;
    assert.ok(row, `no user ${username} in trove.db`);
    return row.password_hash;
  } finally {
    db.close();
  }
}

/** The tables of the database named by dbEnv (PostgreSQL only). */
async function postgresTables(url: string): Promise<string[]> {
  const rows = await queryPostgres<{ table_name: string }>(url, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name");
  return rows.map((r) => r.table_name);
}

/**
 * First start prints root's token once; a second start on the same database does not, creates no
 * second root and accepts the first token. `secondDataDir` is where the second start runs, from
 * dist/main.js; the first runs from `firstEntry`.
 */
async function firstThenSecondStart(dataDir: string, secondDataDir: string, dbEnv: Record<string, string>, firstEntry: Entry = 'main.js'): Promise<void> {
  const first = await startOn(dataDir, dbEnv, firstEntry);
  try {
    const tokens = first.stdout().match(TOKEN_PATTERN) ?? [];
    assert.equal(tokens.length, 1, `expected one token on stdout:\n${first.stdout()}`);
    assert.match(first.stdout(), /Created the administrator "root"/);
    assert.doesNotMatch(first.stderr(), /glpat-/);
    assert.ok(first.stdout().includes(`Trove listening on http://127.0.0.1:${first.port}`), first.stdout());
    if (dbEnv.TROVE_DATABASE_URL) {
      assert.ok((await postgresTables(dbEnv.TROVE_DATABASE_URL)).includes('users'), 'the PostgreSQL database holds the schema');
      assert.equal(existsSync(join(dataDir, 'trove.db')), false, 'no SQLite file when TROVE_DATABASE_URL is set');
    } else {
      assert.ok(existsSync(join(dataDir, 'trove.db')), 'the data folder holds the database');
    }

    const me = await new Api(first.baseUrl, privateToken(tokens[0])).get('/api/v4/user');
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.username, 'root');
    assert.equal(me.body.is_admin, true);
    const wrong = await new Api(first.baseUrl, privateToken(`${tokens[0].slice(0, -1)}${tokens[0].endsWith('x') ? 'y' : 'x'}`)).get('/api/v4/user');
    assert.equal(wrong.status, 401);
    // Files found relative to the server's modules (package.json, the web UI): also from the bundle.
    const version = await new Api(first.baseUrl, privateToken(tokens[0])).get('/api/v4/version');
    assert.equal(version.status, 200, version.text);
    assert.equal(version.body.version, JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version);
    const home = await fetch(`${first.baseUrl}/`);
    assert.equal(home.status, 200);
    assert.match(await home.text(), /<div id="root">/);
  } finally {
    assert.equal(await sigterm(first), 0, first.stderr());
  }

  const token = first.stdout().match(TOKEN_PATTERN)![0];
  const second = await startOn(secondDataDir, dbEnv);
  try {
    assert.doesNotMatch(second.stdout(), /glpat-/);
    assert.doesNotMatch(second.stdout(), /Created the administrator/);
    assert.ok(second.stdout().includes(`Trove listening on http://127.0.0.1:${second.port}`), second.stdout());
    const me = await new Api(second.baseUrl, privateToken(token)).get('/api/v4/user');
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.username, 'root');
    const users = await new Api(second.baseUrl, privateToken(token)).get('/api/v4/users');
    assert.equal(users.status, 200, users.text);
    assert.deepEqual(users.body.map((u: { username: string }) => u.username), ['root'], 'no second root on the second start');
  } finally {
    assert.equal(await sigterm(second), 0, second.stderr());
  }
}

// The CLI runs from the TypeScript source through tsx: bin/trove.js would run the shared dist/cli
// whenever dist/ exists, which other work in this checkout may rebuild (or leave stale) at any time.
function trove(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src/cli/trove.ts'), ...args], { cwd: REPO_ROOT, env: cleanEnv(env), timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

describe('first start', () => {
  // The embedded default keeps everything in the data folder: only the SQLite run can start
  // without TROVE_DATABASE_URL and mean it. The PostgreSQL run tests the same on its database below.
  it(
    'prints a working root token once, says where it listens, and stops cleanly on SIGTERM (embedded SQLite in the data folder; first from the bundle `npm start` runs)',
    { skip: TEST_BACKEND === 'postgres' ? 'the embedded SQLite default: the PostgreSQL run tests first/second start on a PostgreSQL database instead' : false },
    async () => {
      const dataDir = join(tempDir(), 'data');
      await firstThenSecondStart(dataDir, dataDir, {}, 'server.mjs');
    },
  );

  it(
    'prints a working root token once on an empty PostgreSQL database, and not on a second start on the same database',
    { skip: TEST_BACKEND === 'postgres' ? false : 'needs the PostgreSQL run (TROVE_TEST_POSTGRES_URL)' },
    async () => {
      const dbEnv = await databaseEnv();
      assert.ok(dbEnv.TROVE_DATABASE_URL);
      assert.deepEqual(await postgresTables(dbEnv.TROVE_DATABASE_URL), [], 'the database starts empty');
      // The second start uses another data folder: the database alone decides that root exists.
      await firstThenSecondStart(join(tempDir(), 'data'), join(tempDir(), 'data'), dbEnv);
    },
  );

  it('honours TROVE_ROOT_TOKEN and TROVE_ROOT_PASSWORD and prints no token then', async () => {
    const dataDir = join(tempDir(), 'data');
    const dbEnv = await databaseEnv();
    const rootToken = 'glpat-from-the-environment-0123456789';
    const started = await startOn(dataDir, { ...dbEnv, TROVE_ROOT_TOKEN: rootToken, TROVE_ROOT_PASSWORD: 'open-sesame-42' });
    try {
      assert.doesNotMatch(started.stdout(), /glpat-/);
      const me = await new Api(started.baseUrl, privateToken(rootToken)).get('/api/v4/user');
      assert.equal(me.status, 200, me.text);
      assert.equal(me.body.username, 'root');
      assert.equal(me.body.is_admin, true);
    } finally {
      assert.equal(await sigterm(started), 0, started.stderr());
    }
    // No password login over HTTP yet: check the stored hash is of the password given.
    const hash = await storedPasswordHash(dataDir, dbEnv, 'root');
    assert.equal(await verifyPassword('open-sesame-42', hash), true);
    assert.equal(await verifyPassword('open-sesame-43', hash), false);
  });

  for (const [name, env, pattern] of [
    ['a port that is not a number', { TROVE_PORT: 'abc' }, /TROVE_PORT must be an integer.*"abc"/],
    ['a root token that is too short', { TROVE_ROOT_TOKEN: 'glpat-short' }, /TROVE_ROOT_TOKEN must be at least 20 characters/],
    ['an unknown audit default', { TROVE_PACKAGE_AUDIT_EVENTS: 'sometimes' }, /TROVE_PACKAGE_AUDIT_EVENTS must be one of enabled, disabled/],
    ['a blob grace period of 0', { TROVE_BLOB_GC_GRACE_SECONDS: '0' }, /TROVE_BLOB_GC_GRACE_SECONDS must be an integer between 1 and 2592000, got "0"/],
  ] as const) {
    it(`refuses to start with ${name}`, async () => {
      const dataDir = join(tempDir(), 'data');
      const dbEnv = await databaseEnv();
      const spawned = spawnTrove({ TROVE_HOST: '127.0.0.1', TROVE_PORT: String(await freePort()), TROVE_DATA_DIR: dataDir, ...dbEnv, ...(env as Record<string, string>) });
      const timer = setTimeout(() => spawned.child.kill('SIGKILL'), 20_000);
      const code = await spawned.exited;
      clearTimeout(timer);
      assert.notEqual(code, 0);
      assert.notEqual(code, null, 'it exited by itself');
      assert.match(spawned.stderr(), /^trove: configuration error: /m);
      assert.match(spawned.stderr(), pattern);
      assert.doesNotMatch(spawned.stderr(), /^\s+at /m, 'no stack trace');
      assert.doesNotMatch(spawned.stdout(), /glpat-|Trove listening/);
      assert.equal(existsSync(join(dataDir, 'trove.db')), false, 'nothing is created before the configuration is valid');
      if (dbEnv.TROVE_DATABASE_URL) assert.deepEqual(await postgresTables(dbEnv.TROVE_DATABASE_URL), [], 'no table is created before the configuration is valid');
    });
  }

  it('refuses a port already in use with one line, before creating the data folder or printing a token', async () => {
    const running = await startOn(join(tempDir(), 'data'), await databaseEnv());
    try {
      const dataDir = join(tempDir(), 'data');
      const dbEnv = await databaseEnv();
      const second = spawnTrove({ TROVE_HOST: '127.0.0.1', TROVE_PORT: String(running.port), TROVE_DATA_DIR: dataDir, ...dbEnv });
      const timer = setTimeout(() => second.child.kill('SIGKILL'), 20_000);
      const code = await second.exited;
      clearTimeout(timer);
      assert.equal(code, 1, second.stderr());
      assert.equal(second.stderr().trim(), `trove: port ${running.port} on 127.0.0.1 is already in use (set TROVE_PORT to a free port, or TROVE_HOST to another address; or stop the server already running there)`);
      assert.equal(second.stdout(), '', 'no root token, no listening line');
      assert.equal(existsSync(dataDir), false, 'the data folder is not created');
      if (dbEnv.TROVE_DATABASE_URL) assert.deepEqual(await postgresTables(dbEnv.TROVE_DATABASE_URL), [], 'the database is not migrated');
      const health = await fetch(`${running.baseUrl}/-/health`);
      assert.equal(health.status, 200, 'the first server is unaffected');
    } finally {
      assert.equal(await sigterm(running), 0, running.stderr());
    }
  });
});

describe('the trove CLI', () => {
  it('lists its commands', async () => {
    const help = await trove(['--help']);
    assert.equal(help.code, 0, help.stderr);
    for (const command of ['serve', 'migrate', 'user', 'token']) assert.match(help.stdout, new RegExp(`^\\s+${command}\\b`, 'm'), help.stdout);
  });

  it('creates a user and a token in the data folder (or TROVE_DATABASE_URL); the server accepts the token and the audit log names the CLI', async () => {
    const dataDir = join(tempDir(), 'data');
    // On the PostgreSQL run the CLI and both server starts must share one database.
    const dbEnv = await databaseEnv();
    const rootToken = 'glpat-root-for-the-cli-test-0123456789';
    // A first start creates root, so the audit log can be read as root afterwards.
    const setup = await startTrove({ dataDir, env: { ...dbEnv, TROVE_ROOT_TOKEN: rootToken } });
    assert.equal(setup.databaseUrl, dbEnv.TROVE_DATABASE_URL);
    assert.equal(await setup.stop(), 0);

    const env = { TROVE_DATA_DIR: dataDir, ...dbEnv };
    const migrate = await trove(['migrate'], env);
    assert.equal(migrate.code, 0, migrate.stderr);
    assert.match(migrate.stdout, /database is up to date/);

    const created = await trove(['user', 'create', '--username', 'ops', '--email', 'ops@example.com', '--password', 'long-enough-pw'], env);
    assert.equal(created.code, 0, created.stderr);
    const user = JSON.parse(created.stdout);
    assert.equal(user.username, 'ops');
    assert.equal(user.is_admin, false);

    const issued = await trove(['token', 'create', '--username', 'ops', '--name', 'ops-cli', '--scopes', 'api'], env);
    assert.equal(issued.code, 0, issued.stderr);
    const secret = issued.stdout.trim();
    assert.match(secret, /^glpat-/);

    const missing = await trove(['token', 'create', '--username', 'nobody', '--name', 'x'], env);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /no user named nobody/);

    const server = await startTrove({ dataDir, env: { ...dbEnv, TROVE_ROOT_TOKEN: rootToken } });
    assert.equal(server.databaseUrl, dbEnv.TROVE_DATABASE_URL);
    try {
      const me = await new Api(server.baseUrl, privateToken(secret)).get('/api/v4/user');
      assert.equal(me.status, 200, me.text);
      assert.equal(me.body.username, 'ops');
      assert.equal(me.body.id, user.id);

      const root = new Api(server.baseUrl, privateToken(rootToken));
      const event = await latestEvent(root, '/api/v4/audit_events', 'personal_access_token_created');
      assert.equal(event.actor.type, 'system');
      assert.equal(event.actor.name, CLI_ACTOR_NAME, 'the CLI names the operating-system user and host');
      assert.match(event.actor.name, /^trove CLI as [^@\s]+@\S+$/);
      assert.equal(event.actor.user_id, null);
      assert.equal(event.via, 'system');
      assert.equal(event.details.target_type, 'PersonalAccessToken');
      assert.equal(event.details.target_details, 'ops-cli');
      assert.equal(event.outcome, 'success');
      assert.doesNotMatch(JSON.stringify(event), new RegExp(secret), 'the secret is not in the audit log');
      const userCreated = await latestEvent(root, '/api/v4/audit_events', 'user_created');
      assert.deepEqual([userCreated.actor.name, userCreated.entity_type, userCreated.entity_id, userCreated.details.target_details], [CLI_ACTOR_NAME, 'User', user.id, 'ops']);
      assert.doesNotMatch(JSON.stringify(userCreated), /long-enough-pw|scrypt/, 'neither the password nor its hash is in the audit log');
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
});
