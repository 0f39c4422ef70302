import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stopChild, waitForHttp } from '../../bench/processes.js';
import { removeTempDir, tempDir } from './temp-dir.js';
import { freePort } from './trove-process.js';

// The reference OCI registry: Debian's `docker-registry` (CNCF distribution 2.8.2), the registry
// the container tests and the containers benchmark row measure Trove against. It runs without auth
// on 127.0.0.1 with its storage in a temp folder, deletes enabled (distribution refuses them with
// 405 UNSUPPORTED otherwise).

export const DOCKER_REGISTRY = '/usr/bin/docker-registry';

export interface ReferenceRegistry {
  /** http://127.0.0.1:PORT */
  baseUrl: string;
  /** 127.0.0.1:PORT, as skopeo's docker:// references want it. */
  host: string;
  pid: number;
  /** Stops the registry and removes its storage. */
  stop(): Promise<void>;
}

/** Whether the reference registry is installed (scripts/install-test-deps.sh installs it); tests skip that target when not. */
export function available(): boolean {
  return existsSync(DOCKER_REGISTRY);
}

function config(root: string, port: number): string {
  return [
    'version: 0.1',
    'log: {level: error, accesslog: {disabled: true}}',
    `storage: {filesystem: {rootdirectory: ${join(root, 'data')}}, delete: {enabled: true}}`,
    `http: {addr: "127.0.0.1:${port}", secret: reference-registry-test}`,
    '',
  ].join('\n');
}

export async function startReferenceRegistry(): Promise<ReferenceRegistry> {
  if (!available()) throw new Error(`${DOCKER_REGISTRY} is missing: apt-get install docker-registry (scripts/install-test-deps.sh)`);
  const root = tempDir('trove-reference-registry-');
  const port = await freePort();
  const configFile = join(root, 'config.yml');
  writeFileSync(configFile, config(root, port));
  const child = spawn(DOCKER_REGISTRY, ['serve', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child);
    removeTempDir(root);
  };
  try {
    await waitForHttp(`${baseUrl}/v2/`, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl, host: `127.0.0.1:${port}`, pid: child.pid!, stop };
}
