import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, stat, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { registryTokenKey } from './registry-token-key.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'trove-registry-key-'));
  dirs.push(dir);
  return dir;
}

/** The key another process reads or makes from `file`, as base64url. */
function keyInAnotherProcess(file: string): Promise<string> {
  const script = `import { registryTokenKey } from ${JSON.stringify(new URL('./registry-token-key.ts', import.meta.url).href)};
process.stdout.write((await registryTokenKey(${JSON.stringify(file)})).toString('base64url'));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
  });
}

describe('registry token key file', () => {
  it('is made on first use, private, in its own folder, and read back the same', async () => {
    const file = join(await freshDir(), 'secrets', 'registry-token.key');
    const key = await registryTokenKey(file);
    assert.equal(key.length, 32);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await stat(join(file, '..'))).mode & 0o777, 0o700);
    assert.equal((await readFile(file, 'utf8')).trim(), key.toString('base64url'));
  });

  it('is one key for processes that start together on the same file', async () => {
    const file = join(await freshDir(), 'registry-token.key');
    const keys = await Promise.all([keyInAnotherProcess(file), keyInAnotherProcess(file), keyInAnotherProcess(file), registryTokenKey(file).then((k) => k.toString('base64url'))]);
    assert.equal(new Set(keys).size, 1, `keys: ${keys.join(', ')}`);
  });

  it('refuses a file that does not hold a key rather than signing with it', async () => {
    const file = join(await freshDir(), 'registry-token.key');
    await writeFile(file, 'short\n', { mode: 0o600 });
    await assert.rejects(registryTokenKey(file), /does not hold a registry token key/);
  });
});
