import { spawn, spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp-dir.js';

// An evidence pack as an auditor handles it: downloaded, unzipped into a clean folder with the
// system's unzip, verified with `node verify.mjs` there (and `sha256sum -c`).

export interface Run {
  code: number | null;
  output: string;
}

/** Downloads a pack; the zip's bytes, or throws with the answer. */
export async function downloadPack(baseUrl: string, path: string, headers: Record<string, string>): Promise<{ status: number; zip: Buffer; headers: Headers }> {
  const res = await fetch(`${baseUrl}${path}`, { headers });
  return { status: res.status, zip: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

/** The zip unzipped into a new folder of its own. */
export function unzipPack(zip: Buffer): string {
  const dir = tempDir('trove-pack-');
  const file = join(dir, 'pack.zip');
  writeFileSync(file, zip);
  const folder = join(dir, 'pack');
  const unzip = spawnSync('unzip', ['-q', file, '-d', folder], { encoding: 'utf8' });
  if (unzip.status !== 0) throw new Error(`unzip failed: ${unzip.stderr}`);
  return folder;
}

/** `command args` in `cwd`, its exit code and its stdout + stderr. */
export function runIn(cwd: string, command: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/** `node verify.mjs ...args` in the pack's folder, as the README tells an auditor. */
export function runPackVerifier(folder: string, ...args: string[]): Promise<Run> {
  return runIn(folder, process.execPath, ['verify.mjs', ...args]);
}

/** A copy of the unzipped pack with one byte of `file` changed (the middle one, to another letter). */
export function copyWithOneByteChanged(folder: string, file: string): string {
  const copy = join(tempDir('trove-pack-tampered-'), 'pack');
  cpSync(folder, copy, { recursive: true });
  const bytes = readFileSync(join(copy, file));
  const at = Math.floor(bytes.length / 2);
  bytes[at] = bytes[at] === 0x61 ? 0x62 : 0x61;
  writeFileSync(join(copy, file), bytes);
  return copy;
}

/** The file names MANIFEST.sha256 lists. */
export function manifestFiles(folder: string): string[] {
  return readFileSync(join(folder, 'MANIFEST.sha256'), 'utf8').trim().split('\n').map((line) => line.slice(66));
}
