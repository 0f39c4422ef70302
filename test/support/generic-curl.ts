import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { allPackages } from './all-packages.js';
import type { Api } from './api.js';

// Helpers for the generic-package end-to-end tests: the real curl binary, raw HTTP uploads that
// break off or never read the answer, what the registry and blob folder hold, the server's memory.

export interface CurlResult {
  /** curl's exit code (22 with --fail-with-body when the server answered >= 400). */
  code: number;
  /** The HTTP status, from -w. */
  status: number;
  body: string;
  json: any;
  stderr: string;
}

const STATUS_MARK = '\n--curl-http-status:';

/** Runs curl with `args`, adding -sS and a status trailer so that body and status can both be asserted. */
export function curl(args: string[]): Promise<CurlResult> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-sS', ...args, '-w', `${STATUS_MARK}%{http_code}`], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const at = stdout.lastIndexOf(STATUS_MARK);
      if (at < 0) return reject(new Error(`curl printed no status: ${stderr}`));
      const body = stdout.slice(0, at);
      let json: unknown = null;
      try {
        json = body ? JSON.parse(body) : null;
      } catch {
        // not JSON
      }
      const code = error ? Number((error as { code?: number }).code ?? 1) : 0;
      resolve({ code, status: Number(stdout.slice(at + STATUS_MARK.length)), body, json, stderr });
    });
  });
}

/** curl's own version, as the audit record should report it from the User-Agent. */
export async function curlVersion(): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('curl', ['--version'], (error, stdout) => (error ? reject(error) : resolve(/^curl (\S+)/.exec(stdout)![1]))),
  );
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Every file below the blob folder (relative paths), tmp/ included. */
export function blobFiles(dataDir: string): string[] {
  const root = join(dataDir, 'blobs');
  const out: string[] = [];
  const walk = (dir: string, prefix: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path, `${prefix}${entry}/`);
      else out.push(`${prefix}${entry}`);
    }
  };
  walk(root, '');
  return out.sort();
}

export function tmpBlobFiles(dataDir: string): string[] {
  return blobFiles(dataDir).filter((f) => f.startsWith('tmp/'));
}

/** What a project's registry stores, to compare before and after a refusal: each version with its files, and every blob on disk. */
export async function registryState(api: Api, projectId: number, dataDir: string): Promise<{ packages: string[]; blobs: string[] }> {
  const packages = await allPackages(api, projectId);
  const out: string[] = [];
  for (const p of packages) {
    const files = await api.expect(200, 'GET', `/api/v4/projects/${projectId}/packages/${p.id}/package_files?per_page=100`);
    out.push(`${p.name}@${p.version}(${p.status}): ${files.map((f: any) => `${f.file_name}=${f.file_sha256}`).join(', ')}`);
  }
  return { packages: out, blobs: blobFiles(dataDir) };
}

/** Resident memory of a process in bytes (Linux). */
export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`process ${pid} has exited (no VmRSS): out of memory?`);
  return Number(match[1]) * 1024;
}

/** Runs `work` while sampling the RSS of process `pid` every 10 ms: its value before, and the peak. */
export async function rssDuring<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; baseline: number; peak: number }> {
  const baseline = rssBytes(pid);
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 10);
  try {
    const result = await work();
    return { result, baseline, peak: Math.max(peak, rssBytes(pid)) };
  } finally {
    clearInterval(sampler);
  }
}

/**
 * Sends a PUT whose Content-Length promises `declared` bytes, writes only `sent` bytes, waits
 * until `until()` holds (e.g. the upload reached the blob store), then destroys the socket.
 */
export async function abortedUpload(
  port: number,
  path: string,
  headers: Record<string, string>,
  declared: number,
  sent: number,
  until: () => boolean,
): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.on('error', () => {
    // the server may answer or reset after we break off; either is fine
  });
  const head = [`PUT ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, `Content-Length: ${declared}`, 'User-Agent: curl/8.0.0', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  try {
    socket.write(`${head.join('\r\n')}\r\n\r\n`);
    socket.write(Buffer.alloc(sent, 0x61));
    const deadline = Date.now() + 5000;
    while (!until()) {
      if (Date.now() > deadline) throw new Error('the partial upload never reached the server');
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    // Also on failure: a request left open would keep the server from stopping.
    socket.destroy();
  }
}

/**
 * A client that writes its whole chunked body (`megabytes` MB) before it reads the answer, as
 * simple HTTP libraries do; resolves with the status line. A server that stopped reading leaves
 * such a client stuck writing forever, so it rejects once nothing moved (no chunk accepted by the
 * socket, no answer byte) for `stallMs`: a watchdog on progress, not on total time, so a busy
 * machine that is merely slow does not fail it.
 */
export async function uploadBeforeReading(port: number, path: string, headers: Record<string, string>, megabytes: number, stallMs = 30_000): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let answer = '';
  let timer: NodeJS.Timeout | undefined;
  let stalled: Error | undefined;
  const progressed = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = new Error(`no progress for ${stallMs} ms: the server stopped reading and did not answer`);
      socket.destroy(stalled);
    }, stallMs);
  };
  progressed();
  socket.on('data', (chunk: Buffer) => {
    answer += chunk.toString('latin1');
    progressed();
  });
  try {
    const head = [`PUT ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Transfer-Encoding: chunked', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    socket.write(`${head.join('\r\n')}\r\n\r\n`);
    const chunk = Buffer.alloc(1024 * 1024, 0x62);
    for (let i = 0; i < megabytes; i++) {
      socket.write(`${chunk.length.toString(16)}\r\n`);
      socket.write(chunk, progressed);
      socket.write('\r\n');
    }
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.write('0\r\n\r\n', () => resolve());
    });
    while (!answer.includes('\r\n\r\n')) {
      if (socket.destroyed) throw stalled ?? new Error('the connection closed before a whole answer arrived');
      await new Promise((r) => setTimeout(r, 20));
    }
    return answer.slice(0, answer.indexOf('\r\n'));
  } finally {
    clearTimeout(timer);
    socket.destroy();
  }
}
