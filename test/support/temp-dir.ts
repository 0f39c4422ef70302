import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// What the tests and the benchmark leave behind is removed when their process ends: every
// folder tempDir() makes (and, on the PostgreSQL run, every database test-database.ts makes).
// The end is a normal exit or an uncaught error (both emit 'exit') or SIGINT/SIGTERM/SIGHUP;
// removeTempDir() removes a folder earlier. TROVE_KEEP_TEMP=1 keeps everything, to look at after
// a run.

export const KEEP_TEMP = process.env.TROVE_KEEP_TEMP === '1';

const cleanups: (() => void)[] = [];
let cleanedUp = false;

function cleanUp(): void {
  if (cleanedUp) return;
  cleanedUp = true;
  for (const cleanup of cleanups) cleanup();
}

/** Runs `cleanup` (synchronous: the event loop is gone by then) when this process ends. */
export function onProcessEnd(cleanup: () => void): void {
  cleanups.push(cleanup);
}

process.on('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    cleanUp();
    // Die of the signal as without this handler, unless someone else handles it.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}

const made = new Set<string>();
onProcessEnd(() => {
  for (const dir of made) removeTempDir(dir);
});

/** A new folder under the system temp folder, removed at the latest when this process ends. */
export function tempDir(prefix = 'trove-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** Removes a folder (and everything in it) now, unless TROVE_KEEP_TEMP=1. */
export function removeTempDir(dir: string): void {
  made.delete(dir);
  if (!KEEP_TEMP) rmSync(dir, { recursive: true, force: true });
}

/** Runs `work` in a new temp folder and removes the folder when it is done, also on failure. */
export async function withTempDir<T>(prefix: string, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = tempDir(prefix);
  try {
    return await work(dir);
  } finally {
    removeTempDir(dir);
  }
}
