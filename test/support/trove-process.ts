import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { removeTempDir, tempDir } from './temp-dir.js';
import { freshDatabaseUrl } from './test-database.js';
import { trustInThisProcess, type TestCertificate } from './tls.js';

export { tempDir } from './temp-dir.js';

// Starts the real, compiled Trove (dist/main.js, built by the test script) as a child
// process on 127.0.0.1 with a fresh data folder, exactly as `npm start` runs it. stop() removes
// that folder; a test that starts Troves on the same data one after another (or looks at the files
// after stop) passes a folder of its own: `startTrove({ dataDir: join(tempDir(), 'data') })`.

export const REPO_ROOT = resolve(import.meta.dirname, '../..');

export interface RunningTrove {
  baseUrl: string;
  /** The PostgreSQL database of this Trove on the PostgreSQL run; undefined on SQLite. */
  databaseUrl: string | undefined;
  port: number;
  /** Made by startTrove (and removed by stop()) unless the caller passed one. */
  dataDir: string;
  rootToken: string;
  process: ChildProcess;
  output: () => string;
  /** SIGTERM and wait for a clean exit; then removes the data folder if startTrove made it. */
  stop(): Promise<number | null>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Data folders that stop() removed: starting a Trove on one again is a mistake in the test. */
const removedByStop = new Set<string>();

type StartOptions = { env?: Record<string, string>; dataDir?: string; nodeArgs?: string[]; tls?: TestCertificate };

/**
 * `tls`: serve HTTPS with this certificate (TROVE_TLS_CERT/KEY); baseUrl is then https:// and this process trusts it.
 * The port freePort() hands out may be taken before the server binds it (by another test's server,
 * or as the local port of any outgoing connection): Trove then refuses to start on it, and a new
 * port is tried.
 */
export async function startTrove(options: StartOptions = {}): Promise<RunningTrove> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startTroveOnce(options);
    } catch (error) {
      if (attempt === 3 || !/trove exited with 1:[\s\S]*is already in use/.test((error as Error).message)) throw error;
    }
  }
}

async function startTroveOnce(options: StartOptions): Promise<RunningTrove> {
  if (options.dataDir && removedByStop.has(options.dataDir)) {
    throw new Error(`${options.dataDir} was removed by stop() of the Trove that made it: to restart on a data folder, make it with join(tempDir(), 'data') and pass it as dataDir to both`);
  }
  const port = await freePort();
  const ownDir = options.dataDir === undefined ? tempDir() : undefined;
  const dataDir = options.dataDir ?? join(ownDir!, 'data');
  const rootToken = options.env?.TROVE_ROOT_TOKEN ?? `glpat-test-root-${port}-abcdefghijklmnop`;
  const dist = process.env.TROVE_TEST_DIST ?? 'dist';
  const databaseUrl = options.env?.TROVE_DATABASE_URL ?? (await freshDatabaseUrl());
  const instanceName = `test-${port}-${randomBytes(6).toString('hex')}`;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), join(REPO_ROOT, dist, 'main.js')], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      TROVE_PORT: String(port),
      TROVE_HOST: '127.0.0.1',
      TROVE_DATA_DIR: dataDir,
      TROVE_ROOT_TOKEN: rootToken,
      TROVE_LOG_LEVEL: 'warn',
      // Every response is checked against its route's declared contract (src/http/api.ts).
      TROVE_CHECK_RESPONSE_CONTRACTS: '1',
      TROVE_INSTANCE_NAME: instanceName,
      ...(databaseUrl ? { TROVE_DATABASE_URL: databaseUrl } : {}),
      ...(options.tls ? { TROVE_TLS_CERT: options.tls.cert, TROVE_TLS_KEY: options.tls.key } : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const baseUrl = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  if (options.tls) await trustInThisProcess(options.tls.cert);
  // Only a bound on a start that hangs: generous, as a busy CI machine (two cores, parallel tests)
  // may take many seconds to load the server.
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`trove exited with ${child.exitCode}:\n${output}`);
    try {
      // Only OUR process counts: another test's Trove may hold the port freePort() handed out.
      const res = await fetch(`${baseUrl}/-/health`);
      if (res.ok && ((await res.json()) as { instance?: string }).instance === instanceName) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`trove did not start in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    baseUrl,
    databaseUrl,
    port,
    dataDir,
    rootToken,
    process: child,
    output: () => output,
    stop: async () => {
      const code = await new Promise<number | null>((resolveExit) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolveExit(child.exitCode);
        child.once('exit', (exitCode) => resolveExit(exitCode));
        child.kill('SIGTERM');
      });
      if (ownDir) {
        removeTempDir(ownDir);
        removedByStop.add(dataDir);
      }
      return code;
    },
  };
}
