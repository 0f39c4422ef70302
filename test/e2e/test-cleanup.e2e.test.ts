import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import pg from 'pg';
import { KEEP_TEMP, removeTempDir, tempDir } from '../support/temp-dir.js';
import { TEST_BACKEND, TEST_POSTGRES_URL } from '../support/test-database.js';
import { REPO_ROOT, startTrove } from '../support/trove-process.js';

// The suite cleans up after itself (a full run used to leave tens of GB in /tmp): a Trove's data
// folder goes with stop(), every tempDir() folder and, on the PostgreSQL run, every test database
// goes when the test process ends, also on an uncaught error or SIGTERM; test databases of a
// killed process go with scripts/test.sh's sweep; TROVE_KEEP_TEMP=1 keeps everything.

interface ChildRun {
  /** What the child printed, one line per folder or database URL it made. */
  made: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs `body` (an ES module body with tempDir and freshDatabaseUrl imported) in a node process of
 * its own via tsx, with TROVE_KEEP_TEMP as given; `kill` sends that signal once it printed a line.
 */
function runChild(body: string, options: { keep?: boolean; kill?: NodeJS.Signals } = {}): Promise<ChildRun> {
  const support = (file: string) => JSON.stringify(join(REPO_ROOT, 'test', 'support', file));
  const code = `import { tempDir } from ${support('temp-dir.ts')};\nimport { freshDatabaseUrl } from ${support('test-database.ts')};\n${body}`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: REPO_ROOT,
    env: { ...process.env, TROVE_KEEP_TEMP: options.keep ? '1' : '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (options.kill && stdout.includes('\n')) child.kill(options.kill);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (exitCode, signal) => resolve({ made: stdout.split('\n').filter(Boolean), code: exitCode, signal, stderr }));
  });
}

const MAKE_FOLDER = `console.log(tempDir('trove-cleanup-probe-'));`;
const WAIT = `setInterval(() => {}, 1000);`;

describe('test cleanup: folders', () => {
  it('stop() removes the data folder startTrove made, and starting a Trove on it again is refused', { skip: KEEP_TEMP && 'TROVE_KEEP_TEMP=1 keeps it' }, async () => {
    const trove = await startTrove();
    assert.ok(existsSync(join(trove.dataDir, 'audit-keys')), 'the running Trove keeps its audit keys in the data folder');
    assert.equal(await trove.stop(), 0);
    assert.equal(existsSync(dirname(trove.dataDir)), false, `${dirname(trove.dataDir)} is left behind`);
    await assert.rejects(startTrove({ dataDir: trove.dataDir }), /removed by stop\(\)/);
  });

  it('a data folder the caller passed stays after stop(), for the next Trove or a look at the files', async () => {
    const dataDir = join(tempDir(), 'data');
    const trove = await startTrove({ dataDir });
    assert.equal(await trove.stop(), 0);
    assert.ok(existsSync(join(dataDir, 'audit-keys')));
  });

  for (const [how, body, kill] of [
    ['exits normally', MAKE_FOLDER, undefined],
    ['dies of an uncaught error', `${MAKE_FOLDER} throw new Error('boom');`, undefined],
    ['gets SIGTERM', `${MAKE_FOLDER} ${WAIT}`, 'SIGTERM'],
  ] as const) {
    it(`tempDir() folders are removed when the process ${how}`, async () => {
      const run = await runChild(body, { kill });
      assert.equal(run.made.length, 1, run.stderr);
      assert.equal(existsSync(run.made[0]), false, `${run.made[0]} is left behind (exit ${run.code}, ${run.signal}):\n${run.stderr}`);
      if (kill) assert.equal(run.signal, kill, 'the process still dies of the signal');
    });
  }

  it('TROVE_KEEP_TEMP=1 keeps them', async () => {
    const run = await runChild(MAKE_FOLDER, { keep: true });
    assert.equal(run.code, 0, run.stderr);
    try {
      assert.ok(existsSync(run.made[0]), `${run.made[0]} was removed`);
    } finally {
      removeTempDir(run.made[0]);
    }
  });
});

describe('test cleanup: PostgreSQL databases', { skip: TEST_BACKEND === 'sqlite' && 'PostgreSQL run only' }, () => {
  const MAKE_DATABASE = `console.log(await freshDatabaseUrl());`;
  const nameOf = (url: string) => new URL(url).pathname.slice(1);

  async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }
  const exists = (url: string) => admin(async (client) => (await client.query('select 1 from pg_database where datname = $1', [nameOf(url)])).rowCount === 1);

  for (const [how, body, kill] of [
    ['exits normally', MAKE_DATABASE, undefined],
    ['gets SIGTERM', `${MAKE_DATABASE} ${WAIT}`, 'SIGTERM'],
  ] as const) {
    it(`a process's test databases are dropped when it ${how}`, async () => {
      const run = await runChild(body, { kill });
      assert.equal(run.made.length, 1, run.stderr);
      assert.equal(await exists(run.made[0]), false, `${run.made[0]} is left behind:\n${run.stderr}`);
    });
  }

  it('those of a killed process are dropped by the sweep of scripts/test.sh; TROVE_KEEP_TEMP=1 keeps them', async () => {
    const killed = await runChild(`${MAKE_DATABASE} ${WAIT}`, { kill: 'SIGKILL' });
    const kept = await runChild(MAKE_DATABASE, { keep: true });
    assert.ok(await exists(killed.made[0]), 'SIGKILL leaves no chance to drop it');
    assert.ok(await exists(kept.made[0]), 'TROVE_KEEP_TEMP=1 keeps it');
    const sweep = await new Promise<number | null>((resolve) =>
      spawn(process.execPath, ['--import', 'tsx', 'test/support/drop-test-databases.ts'], { cwd: REPO_ROOT, env: { ...process.env, TROVE_KEEP_TEMP: '' }, stdio: 'inherit' }).on('exit', resolve),
    );
    assert.equal(sweep, 0);
    assert.equal(await exists(killed.made[0]), false, 'the sweep drops the databases of processes that are gone');
    assert.equal(await exists(kept.made[0]), false);
  });
});
