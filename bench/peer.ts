import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { removeTempDir } from '../test/support/temp-dir.js';
import { freePort, tempDir } from '../test/support/trove-process.js';
import { pidAlive, stopChild, waitForHttp } from './processes.js';
import type { BenchServer } from './servers.js';

// The peer (Verdaccio) and the load generator (autocannon) are installed on demand into the
// ignored bench/.peer/ folder, not into the root package.json: they are benchmark tools, and
// verdaccio 6.8.0 only installs on Node 20 with node-fetch pinned to 2.7.0.

export const PEER_DIR = resolve(import.meta.dirname, '.peer');
export const PEER_VERSIONS = { verdaccio: '6.8.0', autocannon: '9.0.0' } as const;

function installedVersion(name: string): string | undefined {
  const file = join(PEER_DIR, 'node_modules', name, 'package.json');
  if (!existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** Installs verdaccio and autocannon into bench/.peer/ unless the right versions are there. */
export function ensurePeerInstalled(log: (line: string) => void = () => {}): void {
  const ready = Object.entries(PEER_VERSIONS).every(([name, version]) => installedVersion(name) === version);
  if (ready) return;
  log(`installing verdaccio@${PEER_VERSIONS.verdaccio} and autocannon@${PEER_VERSIONS.autocannon} into bench/.peer/ ...`);
  mkdirSync(PEER_DIR, { recursive: true });
  const manifest = { name: 'trove-bench-peer', private: true, dependencies: PEER_VERSIONS, overrides: { 'node-fetch': '2.7.0' } };
  writeFileSync(join(PEER_DIR, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  // --prefix keeps npm from walking up into the repository's own package.json.
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--prefix', PEER_DIR], { cwd: PEER_DIR, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm install into bench/.peer failed:\n${result.stdout}\n${result.stderr}`);
}

export const AUTOCANNON_BIN = join(PEER_DIR, 'node_modules', 'autocannon', 'autocannon.js');
const VERDACCIO_BIN = join(PEER_DIR, 'node_modules', 'verdaccio', 'bin', 'verdaccio');

function verdaccioConfig(root: string, port: number): string {
  // No uplinks: every read is served from local storage, as Trove serves its own packages.
  // Access needs a login, like a private Trove project, so both sides check a token per request.
  return [
    `storage: ${join(root, 'storage')}`,
    'auth:',
    '  htpasswd:',
    `    file: ${join(root, 'htpasswd')}`,
    '    max_users: 100',
    'uplinks: {}',
    'packages:',
    "  '**':",
    '    access: $authenticated',
    '    publish: $authenticated',
    '    unpublish: $authenticated',
    // JWT API tokens, Verdaccio's recommended setting: a request's token is checked with an HMAC.
    // The legacy default token carries the password, re-checked with bcrypt on every request
    // (about 5 requests/s per core), which would compare Trove against a misconfigured peer.
    'security:',
    '  api:',
    '    jwt:',
    '      sign:',
    '        expiresIn: 7d',
    'max_body_size: 200mb',
    'log: { type: stdout, format: pretty, level: error }',
    `listen: 127.0.0.1:${port}`,
    '',
  ].join('\n');
}

/** Starts Verdaccio with storage in a temp folder (removed by stop()) and logs a user in for a token. */
export async function startVerdaccio(): Promise<BenchServer> {
  const root = tempDir('trove-bench-verdaccio-');
  const port = await freePort();
  const configFile = join(root, 'config.yaml');
  writeFileSync(configFile, verdaccioConfig(root, port));
  // Run the bin with node directly: the server's pid is then the process we measure RSS of.
  const child = spawn(process.execPath, [VERDACCIO_BIN, '--config', configFile], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/-/ping`, child, () => output);
  const res = await fetch(`${base}/-/user/org.couchdb.user:bench`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench', password: 'bench-password-1' }),
  });
  const body = (await res.json()) as { token?: string };
  if (res.status !== 201 || !body.token) throw new Error(`verdaccio adduser: ${res.status} ${JSON.stringify(body)}`);
  if (!pidAlive(child.pid!)) throw new Error(`verdaccio died:\n${output}`);
  const stop = async () => {
    await stopChild(child);
    removeTempDir(root);
  };
  return { name: 'verdaccio', base, registry: `${base}/`, token: body.token, pid: child.pid!, stop };
}
