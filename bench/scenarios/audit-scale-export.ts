import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { get } from 'node:http';
import { REPO_ROOT } from '../../test/support/trove-process.js';

// Export and verification helpers of the audit-at-scale benchmark.

/**
 * Streams the instance export, counting events (lines after CSV's header) per second. Read with
 * node:http (native parser, Buffers as they arrive): fetch()'s web streams took 55-60 % of a core
 * during a JSONL export, CPU the two-core machine then took from the server under test.
 */
export function exportRate(base: string, rootToken: string, format: 'csv' | 'jsonl'): Promise<{ events: number; eventsPerSecond: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = get(`${base}/api/v4/audit_events/export?format=${format}`, { headers: { 'private-token': rootToken } }, (res) => {
      if (res.statusCode !== 200) {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (text: string) => (body += text));
        res.on('end', () => reject(new Error(`export ${format}: HTTP ${res.statusCode} ${body}`)));
        return;
      }
      let newlines = 0;
      res.on('data', (chunk: Buffer) => {
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlines++;
      });
      res.on('error', reject);
      res.on('end', () => {
        const seconds = (performance.now() - started) / 1000;
        // CSV has a header line; a CSV field may hold a newline only when quoted, which the
        // counted fields of these events never are.
        const events = format === 'csv' ? newlines - 1 : newlines;
        resolve({ events, eventsPerSecond: events / seconds });
      });
    });
    req.on('error', reject);
  });
}

/** Waits until the signed checkpoints cover at least `events` events. */
export async function waitUntilSealed(base: string, rootToken: string, events: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${base}/api/v4/audit_events/checkpoint`, { headers: { 'private-token': rootToken } });
    const body = (await res.json().catch(() => ({}))) as { tree_size?: number };
    if (res.status === 200 && (body.tree_size ?? 0) >= events) return;
    if (Date.now() > deadline) throw new Error(`the audit log was not sealed up to ${events} events in time (${JSON.stringify(body)})`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/**
 * Wall time of `trove audit verify` (compiled CLI) against the stopped server's data folder. The
 * key is pinned from the server's own key folder: the bench measures time, not whom to trust.
 */
export function verifySeconds(dataDir: string): Promise<number> {
  const keyDir = join(dataDir, 'audit-keys');
  const pinned = readdirSync(keyDir).filter((f) => f.endsWith('.vkey')).map((f) => readFileSync(join(keyDir, f), 'utf8').trim());
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/trove.js', 'audit', 'verify'], {
      cwd: REPO_ROOT,
      env: { ...process.env, TROVE_DATA_DIR: dataDir, TROVE_DATABASE_URL: '', TROVE_LOG_LEVEL: 'warn', TROVE_AUDIT_TRUSTED_KEYS: pinned.join(',') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve((performance.now() - started) / 1000) : reject(new Error(`trove audit verify exited ${code}:\n${output}`))));
  });
}
